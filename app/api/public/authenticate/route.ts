import { json, route } from "@/server/http/route";
import { passwordLogin } from "@/server/registration/login";
import { whiteLabelLoginSchema } from "@/server/registration/schemas";
import { WHITE_LABEL_ACCESS_TTL_SECONDS } from "@/server/tokens/access-token";
import { whiteLabelTokenResponse } from "@/server/tokens/responses";

export const POST = route(async (ctx) => {
  const { partner } = await ctx.partner({ masterKey: true });
  const input = await ctx.body(whiteLabelLoginSchema);
  const tokens = await passwordLogin(ctx.caller, {
    partner,
    email: input.username,
    password: input.password,
    flavour: "white_label",
    accessTtlSeconds: WHITE_LABEL_ACCESS_TTL_SECONDS,
  });
  return json(whiteLabelTokenResponse(tokens));
});

export { OPTIONS } from "@/server/http/preflight";
