import { createLocalJWKSet, errors, jwtVerify, SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import { AppError } from "../errors";
import { config } from "../../env";
import { getKeyRing } from "./signing-keys";

export const ACCESS_TOKEN_AUDIENCE = "gatehouse-api";
/** The partner API promises `expires_in: 86400`. */
export const PARTNER_ACCESS_TTL_SECONDS = 86_400;
/** The white-label original issues short-lived tokens that the app refreshes. */
export const WHITE_LABEL_ACCESS_TTL_SECONDS = 3_600;

export const CLIENT_SCOPES = [
  "accounts:read",
  "profile:read",
  "verification:create",
  "verification:read",
  "subscriptions:read",
  "subscriptions:create",
  "invoices:read",
  "invoices:pay",
];

export interface TokenSubject {
  id: string;
  partnerId: number;
  email: string;
  countryCode: string | null;
  userType: string;
}

export async function signAccessToken(subject: TokenSubject, ttlSeconds: number): Promise<string> {
  const ring = await getKeyRing();
  return new SignJWT({
    partner_id: subject.partnerId,
    scope: CLIENT_SCOPES.join(" "),
    roles: ["ROLE_USER"],
    user_type: subject.userType,
    username: subject.email,
    currentCountryCode: subject.countryCode ?? "ZZ",
    tfaRequired: false,
    tfaVerified: false,
    tfaMethods: [],
  })
    .setProtectedHeader({ alg: "RS256", kid: ring.active.kid, typ: "JWT" })
    .setSubject(subject.id)
    .setIssuer(config().APP_URL)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .setJti(randomUUID())
    .sign(ring.active.privateKey);
}

export interface AccessClaims {
  clientId: string;
  partnerId: number;
}

/** Accepts only RS256 tokens signed by one of our keys, for our issuer and audience. */
export async function verifyAccessToken(token: string): Promise<AccessClaims> {
  const ring = await getKeyRing();
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: ring.publicJwks }), {
      algorithms: ["RS256"],
      issuer: config().APP_URL,
      audience: ACCESS_TOKEN_AUDIENCE,
      requiredClaims: ["sub", "exp", "iat"],
    });
    if (typeof payload.sub !== "string" || typeof payload.partner_id !== "number")
      throw new AppError("invalid_token", "The access token is not valid");
    return { clientId: payload.sub, partnerId: payload.partner_id };
  } catch (e) {
    if (e instanceof errors.JWTExpired) throw new AppError("token_expired", "The access token has expired; refresh it");
    throw new AppError("invalid_token", "The access token is not valid");
  }
}
