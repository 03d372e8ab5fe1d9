import { json, route } from "@/server/http/route";
import { AppError } from "@/server/errors";
import { requireActivePartner } from "@/server/partners/lookup";
import { parsePartnerId } from "@/server/partners/resolve";
import { passwordLogin } from "@/server/registration/login";
import { partnerTokenRequestSchema } from "@/server/registration/schemas";
import { PARTNER_ACCESS_TTL_SECONDS } from "@/server/tokens/access-token";
import { rotateRefreshToken } from "@/server/tokens/refresh-tokens";
import { partnerTokenResponse } from "@/server/tokens/responses";

/** Partner API token endpoint: refresh_token grant (rotation) and password grant (login). */
export const POST = route(async (ctx) => {
  const input = await ctx.body(partnerTokenRequestSchema);
  const header = ctx.header("partnerid");
  const partnerId = header !== null ? parsePartnerId(header, "partnerId") : input.grant_type === "password" ? input.partnerId : undefined;
  if (input.grant_type === "refresh_token") {
    const tokens = await rotateRefreshToken(ctx.caller, { refreshToken: input.refresh_token, flavour: "partner", accessTtlSeconds: PARTNER_ACCESS_TTL_SECONDS, partnerId });
    return json(partnerTokenResponse(tokens));
  }
  if (partnerId === undefined) throw AppError.field("partner_required", "partnerId", "The partnerId header is required for the password grant");
  const partner = await requireActivePartner(partnerId);
  const tokens = await passwordLogin(ctx.caller, { partner, email: input.username, password: input.password, flavour: "partner", accessTtlSeconds: PARTNER_ACCESS_TTL_SECONDS });
  return json(partnerTokenResponse(tokens));
});
