import { z } from "zod";
import { CLIENT_SCOPES } from "./access-token";
import type { IssuedTokens } from "./refresh-tokens";

export const partnerTokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    refresh_token: z.string(),
    scope: z.string(),
    expires_in: z.number().int(),
    user_id: z.string().meta({ example: "usr:f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1" }),
  })
  .meta({ id: "PartnerTokenResponse" });

export const whiteLabelTokenResponseSchema = z
  .object({
    token: z.string().meta({ description: "RS256 JWT for the Authorization header" }),
    refresh_token: z.string(),
    clientId: z.uuid(),
  })
  .meta({ id: "WhiteLabelTokenResponse" });

export function partnerTokenResponse(t: IssuedTokens): z.infer<typeof partnerTokenResponseSchema> {
  return {
    access_token: t.accessToken,
    token_type: "Bearer",
    refresh_token: t.refreshToken,
    scope: CLIENT_SCOPES.join(" "),
    expires_in: t.expiresIn,
    user_id: `usr:${t.clientId}`,
  };
}

export function whiteLabelTokenResponse(t: IssuedTokens): z.infer<typeof whiteLabelTokenResponseSchema> {
  return { token: t.accessToken, refresh_token: t.refreshToken, clientId: t.clientId };
}
