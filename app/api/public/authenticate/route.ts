import { json, route } from "@/server/http/route";
import { resolveWhiteLabelPartner } from "@/server/partners/resolve";
import { passwordLogin } from "@/server/registration/login";
import { whiteLabelLoginSchema } from "@/server/registration/schemas";
import { WHITE_LABEL_ACCESS_TTL_SECONDS } from "@/server/tokens/access-token";
import { whiteLabelTokenResponse } from "@/server/tokens/responses";

export const POST = route(async (ctx) => {
  const caller = await resolveWhiteLabelPartner({ authorization: ctx.header("authorization"), partnerIdHeader: ctx.header("partnerid"), ip: ctx.ip, requestId: ctx.requestId });
  const input = await ctx.body(whiteLabelLoginSchema);
  const tokens = await passwordLogin({
    partner: caller.partner,
    email: input.username,
    password: input.password,
    flavour: "white_label",
    accessTtlSeconds: WHITE_LABEL_ACCESS_TTL_SECONDS,
    meta: { ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId },
  });
  return json(whiteLabelTokenResponse(tokens));
});
