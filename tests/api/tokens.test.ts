import { and, eq } from "drizzle-orm";
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
} from "jose";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, clients, refreshTokens } from "../../db/schema";
import { getKeyRing } from "../../server/tokens/signing-keys";
import {
  createTestPartner,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type ApiResponse,
} from "../support/api";

const api = useApi();

/** The issuer the tests run with (tests/support/setup-env.ts), independent of the code under test. */
const ISSUER = process.env.APP_URL!.replace(/\/+$/, "");
const AUDIENCE = "gatehouse-api";
const PRIVATE_PARTS = ["d", "p", "q", "dp", "dq", "qi"] as const;

interface PartnerTokens {
  access_token: string;
  token_type: string;
  refresh_token: string;
  scope: string;
  expires_in: number;
  user_id: string;
}

/** A new client of a new sandbox partner, registered through both steps of POST /reg/user. */
async function newClient(partnerId?: number) {
  const pid = partnerId ?? (await createTestPartner({ sandbox: true })).id;
  const email = uniqueEmail("tokens");
  const body = { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD };
  const first = await api.post("/reg/user", body, { partnerId: String(pid) });
  expect(first.status).toBe(202);
  const second = await api.post<PartnerTokens>(
    "/reg/user",
    { ...body, emailConfirmCode: "12345" },
    { partnerId: String(pid) },
  );
  expect(second.status).toBe(201);
  return { partnerId: pid, email, tokens: second.body, clientId: second.body.user_id.slice("usr:".length) };
}

const accounts = (token: string) => api.get("/wallet/accounts", { authorization: `Bearer ${token}` });
const refresh = (refreshToken: string, headers: Record<string, string> = {}) =>
  api.post<PartnerTokens & OAuthErrorBody>(
    "/oauth/token",
    { grant_type: "refresh_token", refresh_token: refreshToken },
    headers,
  );

const b64url = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

function expectRefused(res: ApiResponse, code: string, status = 401) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.body.error).toMatchObject({ code, requestId: res.headers.get("x-request-id") });
}

interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** A refusal of /oauth/token: RFC 6749 §5.2's body and nothing else, never cached; the request id in its header. */
function expectOAuthRefused(res: ApiResponse, error: string, status = 400) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(["error", "error_description"]);
  expect(res.body.error).toBe(error);
  expect(res.body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("pragma")).toBe("no-cache");
  expect(res.headers.get("x-request-id")).toBeTruthy();
}

async function jwksKeys(): Promise<JWK[]> {
  const res = await api.get<{ keys: JWK[] }>("/.well-known/jwks.json");
  expect(res.status).toBe(200);
  return res.body.keys;
}

/** Signs a copy of a real token's claims with our own signing key (as server/tokens/signing-keys.ts loads it). */
async function signWithOurKey(claims: JWTPayload) {
  const ring = await getKeyRing();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: ring.active.kid, typ: "JWT" })
    .sign(ring.active.privateKey);
}

async function familyRows(clientId: string) {
  return getDb()
    .select({
      familyId: refreshTokens.familyId,
      rotatedAt: refreshTokens.rotatedAt,
      revokedAt: refreshTokens.revokedAt,
      revokedReason: refreshTokens.revokedReason,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.clientId, clientId));
}

describe("access tokens and GET /.well-known/jwks.json", () => {
  it("access tokens verify against the published JWKS with RS256, our issuer and audience", async () => {
    const { tokens, clientId, partnerId, email } = await newClient();
    const keys = await jwksKeys();
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(keys.map((k) => k.kid)).toContain(header.kid);

    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createLocalJWKSet({ keys }), {
      algorithms: ["RS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({
      sub: clientId,
      partner_id: partnerId,
      username: email,
      roles: ["ROLE_USER"],
      iss: ISSUER,
      aud: AUDIENCE,
    });
    expect(payload.exp! - payload.iat!).toBe(86_400);
    expect(typeof payload.jti).toBe("string");
  });

  it("the JWKS publishes only public RSA signing keys", async () => {
    const res = await api.get<{ keys: JWK[] }>("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/public/);
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({
        kty: "RSA",
        alg: "RS256",
        use: "sig",
        kid: expect.any(String),
        n: expect.any(String),
        e: expect.any(String),
      });
      for (const part of PRIVATE_PARTS) expect(key).not.toHaveProperty(part);
    }
    // The active signing key is among them.
    const ring = await getKeyRing();
    expect(res.body.keys.map((k) => k.kid)).toContain(ring.active.kid);
  });
});

describe("GET /wallet/accounts refuses a token that is not ours", () => {
  it("accepts the real token (the control for every refusal below)", async () => {
    const { tokens } = await newClient();
    const res = await accounts(tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([expect.objectContaining({ type: "CHECKING" })]);
  });

  it("refuses a missing or malformed Authorization header, naming it", async () => {
    const { tokens } = await newClient();
    const variants: Record<string, string>[] = [
      {},
      { authorization: tokens.access_token },
      { authorization: `Basic ${tokens.access_token}` },
    ];
    for (const headers of variants) {
      const res = await api.get("/wallet/accounts", headers);
      expectRefused(res, "unauthorized");
      expect(res.body.error.fields).toEqual([{ path: "Authorization", message: expect.any(String) }]);
    }
  });

  it("refuses a token with one payload character changed", async () => {
    const { tokens } = await newClient();
    const [h, p, s] = tokens.access_token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as JWTPayload;
    // Flip one character of the jti: the claims stay well-formed, only the signature no longer matches.
    const jti = claims.jti!;
    const changed = { ...claims, jti: (jti[0] === "a" ? "b" : "a") + jti.slice(1) };
    const forged = `${h}.${b64url(changed)}.${s}`;
    expect(forged).not.toBe(tokens.access_token);
    expectRefused(await accounts(forged), "invalid_token");
    // Changing one character of the encoded payload itself is refused too.
    const mid = Math.floor(p.length / 2);
    const flipped = `${h}.${p.slice(0, mid)}${p[mid] === "A" ? "B" : "A"}${p.slice(mid + 1)}.${s}`;
    expectRefused(await accounts(flipped), "invalid_token");
  });

  it("refuses an unsigned alg: none token carrying real claims", async () => {
    const { tokens } = await newClient();
    const payload = tokens.access_token.split(".")[1]!;
    for (const alg of ["none", "None", "NONE"]) {
      const forged = `${b64url({ alg, typ: "JWT" })}.${payload}.`;
      expectRefused(await accounts(forged), "invalid_token");
    }
    const { kid } = decodeProtectedHeader(tokens.access_token);
    expectRefused(await accounts(`${b64url({ alg: "none", typ: "JWT", kid })}.${payload}.`), "invalid_token");
  });

  it("refuses an HS256 token whose HMAC secret is our public key (key confusion)", async () => {
    const { tokens } = await newClient();
    const claims = decodeJwt(tokens.access_token);
    const { kid } = decodeProtectedHeader(tokens.access_token);
    const jwk = (await jwksKeys()).find((k) => k.kid === kid)!;
    const pem = await exportSPKI((await importJWK(jwk, "RS256")) as CryptoKey);
    const secrets = [pem, pem.trim(), JSON.stringify(jwk), JSON.stringify({ kty: jwk.kty, n: jwk.n, e: jwk.e })];
    for (const secret of secrets) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid, typ: "JWT" })
        .sign(new TextEncoder().encode(secret));
      expectRefused(await accounts(forged), "invalid_token");
    }
  });

  it("refuses a token signed by a foreign RSA key that claims our kid", async () => {
    const { tokens } = await newClient();
    const claims = decodeJwt(tokens.access_token);
    const { kid } = decodeProtectedHeader(tokens.access_token);
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(privateKey);
    expectRefused(await accounts(forged), "invalid_token");
  });

  it("refuses a token signed by a foreign RSA key with an unknown kid", async () => {
    const { tokens } = await newClient();
    const claims = decodeJwt(tokens.access_token);
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "attacker-key-1", typ: "JWT" })
      .sign(privateKey);
    expectRefused(await accounts(forged), "invalid_token");
    const noKid = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT" }).sign(privateKey);
    expectRefused(await accounts(noKid), "invalid_token");
  });

  it("accepts a token we sign ourselves with the real claims (the control for the claim checks)", async () => {
    const { tokens } = await newClient();
    const resigned = await signWithOurKey(decodeJwt(tokens.access_token));
    expect((await accounts(resigned)).status).toBe(200);
  });

  it("refuses our own signature on a token for another audience", async () => {
    const { tokens } = await newClient();
    const claims = decodeJwt(tokens.access_token);
    expectRefused(await accounts(await signWithOurKey({ ...claims, aud: "another-api" })), "invalid_token");
    expectRefused(await accounts(await signWithOurKey({ ...claims, aud: undefined })), "invalid_token");
  });

  it("refuses our own signature on a token from another issuer", async () => {
    const { tokens } = await newClient();
    const claims = decodeJwt(tokens.access_token);
    expectRefused(await accounts(await signWithOurKey({ ...claims, iss: "http://evil.test" })), "invalid_token");
    expectRefused(await accounts(await signWithOurKey({ ...claims, iss: `${ISSUER}/` })), "invalid_token");
  });

  it("refuses an expired token (our signature, exp in the past) as token_expired", async () => {
    const { tokens } = await newClient();
    const claims = decodeJwt(tokens.access_token);
    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithOurKey({ ...claims, iat: now - 3600, exp: now - 5 });
    expectRefused(await accounts(expired), "token_expired");
  });

  it("refuses a token of another partner's client claim (partner_id mismatch)", async () => {
    const { tokens } = await newClient();
    const other = await createTestPartner({ sandbox: true });
    const claims = decodeJwt(tokens.access_token);
    expectRefused(await accounts(await signWithOurKey({ ...claims, partner_id: other.id })), "invalid_token");
  });

  it("refuses with 403 account_inactive the token of a client who was blocked since", async () => {
    const { tokens, clientId } = await newClient();
    expect((await accounts(tokens.access_token)).status).toBe(200);
    await getDb().update(clients).set({ profileState: "blocked" }).where(eq(clients.id, clientId));
    expectRefused(await accounts(tokens.access_token), "account_inactive", 403);
    // Nor can a blocked client refresh its way to new tokens.
    const refused = await refresh(tokens.refresh_token);
    expectOAuthRefused(refused, "invalid_grant");
    expect(refused.body.error_description).toContain("blocked");
  });
});

describe("POST /oauth/token", () => {
  it("refresh_token grant answers the partner shape with a new pair that works", async () => {
    const { tokens, clientId } = await newClient();
    const res = await refresh(tokens.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      refresh_token: expect.any(String),
      scope: tokens.scope,
      expires_in: 86400,
      user_id: `usr:${clientId}`,
    });
    expect(res.body.user_id).toMatch(/^usr:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body.scope).toContain("accounts:read");
    expect(res.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(res.body.access_token).not.toBe(tokens.access_token);
    expect((await accounts(res.body.access_token)).status).toBe(200);
    // The new refresh token rotates in turn.
    const again = await refresh(res.body.refresh_token);
    expect(again.status).toBe(200);
    expect(again.body.refresh_token).not.toBe(res.body.refresh_token);
  });

  it("reusing a rotated refresh token revokes the whole family and is audited", async () => {
    const { tokens, clientId, partnerId } = await newClient();
    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.status).toBe(200);

    const reuse = await refresh(tokens.refresh_token);
    expectOAuthRefused(reuse, "invalid_grant");
    expect(reuse.body.error_description).toContain("already used");
    // The token issued by the legitimate rotation is dead too.
    expectOAuthRefused(await refresh(rotated.body.refresh_token), "invalid_grant");

    const rows = await familyRows(clientId);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.familyId)).size).toBe(1);
    for (const row of rows) {
      expect(row.revokedAt).toBeInstanceOf(Date);
      expect(row.revokedReason).toBe("reuse_detected");
    }
    const events = await getDb()
      .select({
        actorType: auditEvents.actorType,
        actorId: auditEvents.actorId,
        partnerId: auditEvents.partnerId,
        after: auditEvents.after,
        requestId: auditEvents.requestId,
      })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "refresh_token.reuse_detected"), eq(auditEvents.entityId, clientId)));
    expect(events).toEqual([
      {
        actorType: "client",
        actorId: clientId,
        partnerId,
        after: { familyId: rows[0]!.familyId },
        requestId: reuse.headers.get("x-request-id"),
      },
    ]);
  });

  it("refuses an unknown refresh token without touching anything", async () => {
    expectOAuthRefused(await refresh("not-a-real-refresh-token"), "invalid_grant");
  });

  it("refuses partner A's refresh token presented with partner B's partnerId header", async () => {
    const a = await newClient();
    const b = await createTestPartner({ sandbox: true });
    expectOAuthRefused(await refresh(a.tokens.refresh_token, { partnerId: String(b.id) }), "invalid_grant");
    // The refusal was about the partner: with A's own header the same token still rotates.
    const own = await refresh(a.tokens.refresh_token, { partnerId: String(a.partnerId) });
    expect(own.status).toBe(200);
    expect(own.body.user_id).toBe(`usr:${a.clientId}`);
  });

  it("password grant with the partnerId header answers the partner shape", async () => {
    const { email, clientId, partnerId } = await newClient();
    const res = await api.post<PartnerTokens>(
      "/oauth/token",
      { grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD },
      { partnerId: String(partnerId) },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      refresh_token: expect.any(String),
      scope: expect.stringContaining("accounts:read"),
      expires_in: 86400,
      user_id: `usr:${clientId}`,
    });
    expect((await accounts(res.body.access_token)).status).toBe(200);
    expect((await refresh(res.body.refresh_token)).status).toBe(200);
    // The email is matched case-insensitively.
    const upper = await api.post(
      "/oauth/token",
      { grant_type: "password", username: email.toUpperCase(), password: STRONG_PARTNER_PASSWORD },
      { partnerId: String(partnerId) },
    );
    expect(upper.status).toBe(200);
  });

  it("password grant refuses a wrong password, an unknown email and another partner with 400 invalid_grant", async () => {
    const { email, partnerId } = await newClient();
    const other = await createTestPartner({ sandbox: true });
    const attempts = [
      [{ username: email, password: "Wrong#Pass1" }, partnerId],
      [{ username: uniqueEmail("nobody"), password: STRONG_PARTNER_PASSWORD }, partnerId],
      [{ username: email, password: STRONG_PARTNER_PASSWORD }, other.id],
    ] as const;
    for (const [credentials, pid] of attempts) {
      const res = await api.post(
        "/oauth/token",
        { grant_type: "password", ...credentials },
        { partnerId: String(pid) },
      );
      expectOAuthRefused(res, "invalid_grant");
      expect(res.body).not.toHaveProperty("access_token");
    }
  });

  it("password grant without a partnerId answers 400 invalid_request naming partnerId", async () => {
    const { email } = await newClient();
    const res = await api.post("/oauth/token", {
      grant_type: "password",
      username: email,
      password: STRONG_PARTNER_PASSWORD,
    });
    expectOAuthRefused(res, "invalid_request");
    expect(res.body.error_description).toMatch(/^partnerId: /);
  });

  it("password grant accepts partnerId in the body when the header is absent", async () => {
    const { email, partnerId, clientId } = await newClient();
    const res = await api.post("/oauth/token", {
      grant_type: "password",
      username: email,
      password: STRONG_PARTNER_PASSWORD,
      partnerId,
    });
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(`usr:${clientId}`);
  });

  it("an unknown grant_type answers 400 unsupported_grant_type and a missing one 400 invalid_request, naming grant_type", async () => {
    for (const [body, error] of [
      [{ grant_type: "client_credentials", client_id: "x" }, "unsupported_grant_type"],
      [{ refresh_token: "abc" }, "invalid_request"],
    ] as const) {
      const res = await api.post("/oauth/token", body);
      expectOAuthRefused(res, error);
      expect(res.body.error_description).toContain("grant_type");
    }
  });

  it("20 concurrent uses of one refresh token: exactly one succeeds and the family is revoked", async () => {
    const { tokens, clientId } = await newClient();
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(tokens.refresh_token)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused).toHaveLength(19);
    for (const r of refused) expectOAuthRefused(r, "invalid_grant");
    expect(refused.some((r) => r.body.error_description.includes("already used"))).toBe(true);

    // The winner's new refresh token belongs to the revoked family.
    expectOAuthRefused(await refresh(ok[0]!.body.refresh_token), "invalid_grant");
    const rows = await familyRows(clientId);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.rotatedAt !== null)).toHaveLength(1);
    for (const row of rows) expect(row.revokedReason).toBe("reuse_detected");
  });
});

describe("POST /api/token/refresh (white-label flavour)", () => {
  it("rotates a white-label refresh token into a new pair with a 1-hour access token, with the same reuse detection", async () => {
    const partner = await createTestPartner();
    const registered = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(partner.id) });
    expect(registered.status).toBe(201);
    const res = await api.post("/api/token/refresh", { refresh_token: registered.body.refresh_token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.any(String),
      refresh_token: expect.any(String),
      clientId: registered.body.clientId,
    });
    expect(res.body.refresh_token).not.toBe(registered.body.refresh_token);
    const { payload } = await jwtVerify(res.body.token, createLocalJWKSet({ keys: await jwksKeys() }), {
      algorithms: ["RS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.sub).toBe(registered.body.clientId);

    const reuse = await api.post("/api/token/refresh", { refresh_token: registered.body.refresh_token });
    expectRefused(reuse, "refresh_token_reused");
    expectRefused(
      await api.post("/api/token/refresh", { refresh_token: res.body.refresh_token }),
      "refresh_token_invalid",
    );
  });
});

describe("GET /api/health", () => {
  it("answers 200 with the database up and a request id", async () => {
    const res = await api.get("/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", database: "up" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});
