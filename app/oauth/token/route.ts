import { oauthRoute } from "@/server/http/oauth-route";
import { json } from "@/server/http/route";
import { passwordLogin } from "@/server/registration/login";
import { PARTNER_ACCESS_TTL_SECONDS } from "@/server/tokens/access-token";
import { tokenRequestFrom } from "@/server/tokens/oauth";
import { rotateRefreshToken } from "@/server/tokens/refresh-tokens";
import { partnerTokenResponse } from "@/server/tokens/responses";

/**
 * Partner API token endpoint: refresh_token grant (rotation) and password
 * grant (login), form-encoded as RFC 6749 has it or JSON, errors in its §5.2 shape.
 */
export const POST = oauthRoute(async (ctx) => {
  const input = tokenRequestFrom(ctx.header("content-type"), await ctx.text());
  if (input.grant_type === "refresh_token") {
    // The token names its partner; a partner the request names restricts it to that one.
    const partnerId = (await ctx.partner({ optional: true }))?.partner.id;
    const tokens = await rotateRefreshToken(ctx.caller, {
      refreshToken: input.refresh_token,
      flavour: "partner",
      accessTtlSeconds: PARTNER_ACCESS_TTL_SECONDS,
      partnerId,
    });
    return json(partnerTokenResponse(tokens));
  }
  const { partner } = await ctx.partner({ partnerIdBody: input.partnerId });
  const tokens = await passwordLogin(ctx.caller, {
    partner,
    email: input.username,
    password: input.password,
    flavour: "partner",
    accessTtlSeconds: PARTNER_ACCESS_TTL_SECONDS,
  });
  return json(partnerTokenResponse(tokens));
});

export { OPTIONS } from "@/server/http/preflight";
