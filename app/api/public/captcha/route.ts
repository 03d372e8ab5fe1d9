import { createChallenge } from "@/server/captcha/captcha";
import { captchaSecret } from "@/server/captcha/secret";
import { json, route } from "@/server/http/route";
import { resolveWhiteLabelPartner } from "@/server/partners/resolve";

/** A proof-of-work challenge for the partner's registration form (Captcha-token header). */
export const GET = route(async (ctx) => {
  const caller = await resolveWhiteLabelPartner({ authorization: null, partnerIdHeader: ctx.header("partnerid") ?? new URL(ctx.req.url).searchParams.get("partnerId"), ip: ctx.ip, requestId: ctx.requestId });
  return json(createChallenge({ secret: captchaSecret(), partnerId: caller.partner.id }));
});
