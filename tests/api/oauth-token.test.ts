import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients, partners } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { LOGIN_FAILURES_PER_WINDOW } from "../../server/registration/login";
import { CLIENT_SCOPES } from "../../server/tokens/access-token";
import { createTestPartner, STRONG_PARTNER_PASSWORD, uniqueEmail, useApi } from "../support/api";

/**
 * POST /oauth/token as an OAuth 2.0 client library calls it (RFC 6749):
 * parameters form-encoded (§4.3.2, §6), errors in §5.2's shape with its
 * codes and statuses, nothing cached (§5.1). JSON bodies keep working.
 */

const api = useApi();

beforeAll(() => {
  process.env.TRUSTED_PROXY_COUNT = "1";
  resetConfigForTests();
});
afterAll(() => {
  delete process.env.TRUSTED_PROXY_COUNT;
  resetConfigForTests();
});

/** An address of the test's own, so the per-address sign-in count is its alone. */
const ownAddress = () => ({
  "X-Forwarded-For": `2001:db8:${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}::5`,
});

const FORM = "application/x-www-form-urlencoded";

async function token(body: string, headers: Record<string, string> = {}, contentType = FORM) {
  const res = await fetch(`${api.url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": contentType, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Record<string, any> };
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function newClient(settings: { sandbox?: boolean } = {}) {
  const partner = await createTestPartner({ sandbox: true, ...settings });
  const email = uniqueEmail("oauth");
  const headers = { partnerId: String(partner.id) };
  expect((await api.post("/reg/user", { email, password: STRONG_PARTNER_PASSWORD }, headers)).status).toBe(202);
  const done = await api.post(
    "/reg/user",
    { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: "12345" },
    headers,
  );
  expect(done.status).toBe(201);
  return {
    partner,
    email,
    clientId: (done.body.user_id as string).slice(4),
    refreshToken: done.body.refresh_token as string,
  };
}

function expectNoStore(res: { headers: Headers }) {
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("pragma")).toBe("no-cache");
}

function expectOAuthError(
  res: { status: number; headers: Headers; body: Record<string, any> },
  error: string,
  status = 400,
) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(["error", "error_description"]);
  expect(res.body.error).toBe(error);
  // §5.2: printable ASCII without the double quote and the backslash.
  expect(res.body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
  expect(res.headers.get("x-request-id")).toBeTruthy();
  expectNoStore(res);
}

describe("POST /oauth/token, form-encoded (RFC 6749 §4.3, §6)", () => {
  it("the password grant answers the partner token shape, never cached", async () => {
    const { partner, email, clientId } = await newClient();
    const res = await token(form({ grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD }), {
      partnerId: String(partner.id),
      ...ownAddress(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      refresh_token: expect.any(String),
      scope: CLIENT_SCOPES.join(" "),
      expires_in: 86400,
      user_id: `usr:${clientId}`,
    });
    expectNoStore(res);
    expect((await api.get("/wallet/accounts", { authorization: `Bearer ${res.body.access_token}` })).status).toBe(200);
  });

  it("takes partnerId among the form parameters, and a scope the API knows", async () => {
    const { partner, email, clientId } = await newClient();
    const res = await token(
      form({
        grant_type: "password",
        username: email,
        password: STRONG_PARTNER_PASSWORD,
        partnerId: String(partner.id),
        scope: "accounts:read invoices:pay",
      }),
      ownAddress(),
    );
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(`usr:${clientId}`);
  });

  it("the refresh_token grant rotates the token; the old one is then an invalid_grant", async () => {
    const { refreshToken, clientId } = await newClient();
    const res = await token(form({ grant_type: "refresh_token", refresh_token: refreshToken }));
    expect(res.status).toBe(200);
    expect(res.body.user_id).toBe(`usr:${clientId}`);
    expect(res.body.refresh_token).not.toBe(refreshToken);
    expectNoStore(res);
    const again = await token(
      form({ grant_type: "refresh_token", refresh_token: res.body.refresh_token as string }),
      {},
      `${FORM}; charset=UTF-8`,
    );
    expect(again.status).toBe(200);
    const reuse = await token(form({ grant_type: "refresh_token", refresh_token: refreshToken }));
    expectOAuthError(reuse, "invalid_grant");
  });

  it("a parameter sent twice is an invalid_request (§3.2); one sent empty counts as absent (§3.1)", async () => {
    const { refreshToken } = await newClient();
    const twice = await token(
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}&refresh_token=other`,
    );
    expectOAuthError(twice, "invalid_request");
    expect(twice.body.error_description).toContain("refresh_token");
    const empty = await token("grant_type=refresh_token&refresh_token=");
    expectOAuthError(empty, "invalid_request");
    expect(empty.body.error_description).toContain("refresh_token");
    // The refused requests spent nothing: the token still rotates.
    expect((await token(form({ grant_type: "refresh_token", refresh_token: refreshToken }))).status).toBe(200);
  });
});

describe("POST /oauth/token errors (RFC 6749 §5.2)", () => {
  it("unsupported_grant_type, and invalid_request for a missing grant_type, in either encoding", async () => {
    expectOAuthError(await token(form({ grant_type: "client_credentials", client_id: "x" })), "unsupported_grant_type");
    expectOAuthError(
      await token(JSON.stringify({ grant_type: "authorization_code", code: "x" }), {}, "application/json"),
      "unsupported_grant_type",
    );
    expectOAuthError(await token(form({ refresh_token: "abc" })), "invalid_request");
    expectOAuthError(await token("", {}, "application/json"), "invalid_request");
    // A value with a quote comes back without one.
    const quoted = await token(form({ grant_type: 'x"y\\z' }));
    expectOAuthError(quoted, "unsupported_grant_type");
  });

  it("invalid_request for a body neither form-encoded nor a JSON object", async () => {
    expectOAuthError(await token("grant_type=password", {}, "text/plain"), "invalid_request");
    expectOAuthError(await token("{not json", {}, "application/json"), "invalid_request");
    expectOAuthError(await token('["grant_type"]', {}, "application/json"), "invalid_request");
    const wrongType = await token(
      JSON.stringify({ grant_type: "refresh_token", refresh_token: 42 }),
      {},
      "application/json",
    );
    expectOAuthError(wrongType, "invalid_request");
    expect(wrongType.body.error_description).toMatch(/^refresh_token: /);
  });

  it("invalid_scope for a scope the API does not know", async () => {
    const { refreshToken } = await newClient();
    const res = await token(
      form({ grant_type: "refresh_token", refresh_token: refreshToken, scope: "accounts:read admin:everything" }),
    );
    expectOAuthError(res, "invalid_scope");
    expect(res.body.error_description).toContain("admin:everything");
  });

  it("invalid_client (401) for a partnerId no partner has; invalid_request for a malformed one", async () => {
    const { email } = await newClient();
    const unknown = await token(form({ grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD }), {
      partnerId: "2147483600",
      ...ownAddress(),
    });
    expectOAuthError(unknown, "invalid_client", 401);
    const malformed = await token(
      form({ grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD }),
      { partnerId: "abc", ...ownAddress() },
    );
    expectOAuthError(malformed, "invalid_request");
    expect(malformed.body.error_description).toContain("partnerId");
  });

  it("unauthorized_client for a suspended partner, for either grant", async () => {
    const { partner, email, refreshToken } = await newClient();
    await getDb().update(partners).set({ status: "suspended" }).where(eq(partners.id, partner.id));
    expectOAuthError(
      await token(form({ grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD }), {
        partnerId: String(partner.id),
        ...ownAddress(),
      }),
      "unauthorized_client",
    );
    expectOAuthError(
      await token(form({ grant_type: "refresh_token", refresh_token: refreshToken })),
      "unauthorized_client",
    );
  });

  it("invalid_grant for wrong credentials and for a blocked client", async () => {
    const { partner, email, clientId } = await newClient();
    const headers = { partnerId: String(partner.id), ...ownAddress() };
    expectOAuthError(
      await token(form({ grant_type: "password", username: email, password: "Wrong#Pass1" }), headers),
      "invalid_grant",
    );
    await getDb().update(clients).set({ profileState: "blocked" }).where(eq(clients.id, clientId));
    expectOAuthError(
      await token(form({ grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD }), headers),
      "invalid_grant",
    );
  });

  it("too many failed sign-ins keep 429 with Retry-After, as temporarily_unavailable", async () => {
    const { partner, email } = await newClient();
    const headers = { partnerId: String(partner.id), ...ownAddress() };
    for (let i = 0; i < LOGIN_FAILURES_PER_WINDOW; i++) {
      expectOAuthError(
        await token(form({ grant_type: "password", username: email, password: `Wrong#Pass${i}` }), headers),
        "invalid_grant",
      );
    }
    const limited = await token(
      form({ grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD }),
      headers,
    );
    expectOAuthError(limited, "temporarily_unavailable", 429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("other endpoints keep the API's own error shape", async () => {
    const res = await api.post("/api/token/refresh", { refresh_token: "not-a-real-refresh-token" });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "refresh_token_invalid", requestId: res.headers.get("x-request-id") });
  });
});
