import { json, route } from "@/server/http/route";
import { refreshRequestSchema } from "@/server/registration/schemas";
import { WHITE_LABEL_ACCESS_TTL_SECONDS } from "@/server/tokens/access-token";
import { rotateRefreshToken } from "@/server/tokens/refresh-tokens";
import { whiteLabelTokenResponse } from "@/server/tokens/responses";

export const POST = route(async (ctx) => {
  const input = await ctx.body(refreshRequestSchema);
  const tokens = await rotateRefreshToken(ctx.caller, {
    refreshToken: input.refresh_token,
    flavour: "white_label",
    accessTtlSeconds: WHITE_LABEL_ACCESS_TTL_SECONDS,
  });
  return json(whiteLabelTokenResponse(tokens));
});

export { OPTIONS } from "@/server/http/preflight";
