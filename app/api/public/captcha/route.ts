import { createChallenge } from "@/server/captcha/captcha";
import { captchaSecret } from "@/server/captcha/secret";
import { json, route } from "@/server/http/route";

/** A proof-of-work challenge for the partner's registration form (Captcha-token header). */
export const GET = route(async (ctx) => {
  const caller = await ctx.partner({ partnerIdQuery: new URL(ctx.req.url).searchParams.get("partnerId") });
  return json(createChallenge({ secret: captchaSecret(), partnerId: caller.partner.id }));
});

export { OPTIONS } from "@/server/http/preflight";
