import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients, emailConfirmations, partners, refreshTokens } from "../../db/schema";
import {
  codeIn,
  createTestPartner,
  latestEmailTo,
  STRONG_WL_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type ApiResponse,
  type TestPartner,
} from "../support/api";

const api = useApi();

const byId = (p: TestPartner) => ({ partnerId: String(p.id) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectError(res: ApiResponse, status: number, code: string, paths: string[] = []) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
  expect((res.body.error.fields ?? []).map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(paths));
}

async function registered(partner: TestPartner, overrides: Record<string, unknown> = {}) {
  const body = whiteLabelBody(overrides);
  const res = await api.post("/api/public/register", body, byId(partner));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return {
    email: body.email,
    password: body.password,
    clientId: res.body.clientId as string,
    token: res.body.token as string,
    refreshToken: res.body.refresh_token as string,
  };
}

function authenticate(partner: TestPartner, username: string, password: string) {
  return api.post("/api/public/authenticate", { username, password }, byId(partner));
}

function refresh(refreshToken: unknown) {
  return api.post("/api/token/refresh", { refresh_token: refreshToken });
}

function confirm(body: Record<string, unknown>) {
  return api.post("/api/public/confirm-email", body);
}

function tokenInLink(text: string | undefined): string {
  const match = /\/confirm-email\?token=([^\s"'<>&]+)/.exec(text ?? "");
  if (!match) throw new Error(`no confirmation link in email: ${text}`);
  return decodeURIComponent(match[1]!);
}

function payloadOf(token: string) {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

async function clientState(id: string) {
  const [row] = await getDb()
    .select({ verificationStatus: clients.verificationStatus, emailConfirmedAt: clients.emailConfirmedAt })
    .from(clients)
    .where(eq(clients.id, id));
  return row;
}

describe("POST /api/public/authenticate", () => {
  it("answers 200 {token, refresh_token, clientId} for the right password, whatever the email's case", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const res = await authenticate(partner, client.email.toUpperCase(), client.password);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["clientId", "refresh_token", "token"]);
    expect(res.body.clientId).toBe(client.clientId);
    expect(res.body.refresh_token).not.toBe(client.refreshToken);
    expect(payloadOf(res.body.token)).toMatchObject({
      sub: client.clientId,
      username: client.email,
      currentCountryCode: "LV",
      tfaRequired: false,
      tfaVerified: false,
      tfaMethods: [],
    });
    const accs = await api.get("/wallet/accounts", bearer(res.body.token));
    expect(accs.status).toBe(200);
  });

  it("refuses a wrong password and an unknown email with the same 401 invalid_credentials", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const wrong = await authenticate(partner, client.email, "Wrong-Password-1");
    expectError(wrong, 401, "invalid_credentials");
    const unknown = await authenticate(partner, uniqueEmail("nobody"), client.password);
    expectError(unknown, 401, "invalid_credentials");
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    expect(unknown.body.error.fields).toEqual(wrong.body.error.fields);
    // A client of one partner cannot sign in through another.
    const other = await createTestPartner();
    expectError(await authenticate(other, client.email, client.password), 401, "invalid_credentials");
  });

  it("answers 429 too_many_attempts after 10 failures for one account, even with the right password", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    for (let i = 0; i < 10; i++)
      expectError(await authenticate(partner, client.email, `Wrong-${i}-Password`), 401, "invalid_credentials");
    const locked = await authenticate(partner, client.email, client.password);
    expectError(locked, 429, "too_many_attempts");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another account of the same partner is not held back.
    const neighbour = await registered(partner);
    expect((await authenticate(partner, neighbour.email, neighbour.password)).status).toBe(200);
  });

  it("refuses a blocked client with the right password with 403 account_inactive", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    await getDb().update(clients).set({ profileState: "blocked" }).where(eq(clients.id, client.clientId));
    expectError(await authenticate(partner, client.email, client.password), 403, "account_inactive");
  });

  it("validates the body and names the partner", async () => {
    const partner = await createTestPartner();
    expectError(await api.post("/api/public/authenticate", {}, byId(partner)), 422, "validation_failed", [
      "username",
      "password",
    ]);
    expectError(
      await api.post("/api/public/authenticate", { username: uniqueEmail(), password: STRONG_WL_PASSWORD }),
      400,
      "partner_required",
      ["partnerId"],
    );
  });
});

describe("POST /api/token/refresh", () => {
  it("rotates: a new pair with a different refresh token; reusing the old one revokes the whole family", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const otherSession = await authenticate(partner, client.email, client.password);
    expect(otherSession.status).toBe(200);

    const rotated = await refresh(client.refreshToken);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(Object.keys(rotated.body).sort()).toEqual(["clientId", "refresh_token", "token"]);
    expect(rotated.body.clientId).toBe(client.clientId);
    expect(rotated.body.refresh_token).not.toBe(client.refreshToken);
    expect(payloadOf(rotated.body.token)).toMatchObject({ sub: client.clientId, username: client.email });
    expect((await api.get("/wallet/accounts", bearer(rotated.body.token))).status).toBe(200);

    const reused = await refresh(client.refreshToken);
    expectError(reused, 401, "refresh_token_reused");
    // The token the rotation handed out belongs to the same family and is now refused too.
    expectError(await refresh(rotated.body.refresh_token), 401, "refresh_token_invalid");
    const family = await getDb()
      .select({ revokedAt: refreshTokens.revokedAt })
      .from(refreshTokens)
      .where(eq(refreshTokens.clientId, client.clientId));
    expect(family.filter((t) => t.revokedAt !== null)).toHaveLength(2);

    // The session from another sign-in is a separate family and still works.
    const separate = await refresh(otherSession.body.refresh_token);
    expect(separate.status).toBe(200);
  });

  it("refuses to extend a session once the partner is suspended, and works again after reactivation", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    await getDb().update(partners).set({ status: "suspended" }).where(eq(partners.id, partner.id));
    const refused = await refresh(client.refreshToken);
    expectError(refused, 403, "partner_suspended");
    await getDb().update(partners).set({ status: "active" }).where(eq(partners.id, partner.id));
    const res = await refresh(client.refreshToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it("refuses a garbage refresh token with 401 refresh_token_invalid and a missing one with 422", async () => {
    expectError(await refresh("not-a-refresh-token"), 401, "refresh_token_invalid");
    expectError(await refresh("a".repeat(96)), 401, "refresh_token_invalid");
    expectError(await api.post("/api/token/refresh", {}), 422, "validation_failed", ["refresh_token"]);
    expectError(await refresh(""), 422, "validation_failed", ["refresh_token"]);
  });
});

describe("email confirmation", () => {
  it("confirms with {clientId, code} from the queued email: 200 and the client becomes email_verified", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const mail = await latestEmailTo(client.email);
    expect(mail?.template).toBe("email_confirmation");
    expect(await clientState(client.clientId)).toEqual({ verificationStatus: "not_verified", emailConfirmedAt: null });

    const res = await confirm({ clientId: client.clientId, code: codeIn(mail?.text) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ confirmed: true, verificationStatus: "email_verified" });
    const after = await clientState(client.clientId);
    expect(after?.verificationStatus).toBe("email_verified");
    expect(after?.emailConfirmedAt).toBeInstanceOf(Date);

    const again = await confirm({ clientId: client.clientId, code: codeIn(mail?.text) });
    expectError(again, 409, "already_confirmed");
  });

  it("confirms with {token} from the link in the email, and a second click is 409 already_confirmed", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const token = tokenInLink((await latestEmailTo(client.email))?.text);
    const res = await confirm({ token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ confirmed: true, verificationStatus: "email_verified" });
    expect((await clientState(client.clientId))?.verificationStatus).toBe("email_verified");
    expectError(await confirm({ token }), 409, "already_confirmed");
  });

  it("counts wrong codes down, locks after 5 with 423, and then refuses even the right code", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const code = codeIn((await latestEmailTo(client.email))?.text);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 1; i <= 4; i++) {
      const res = await confirm({ clientId: client.clientId, code: wrong });
      expectError(res, 400, "confirmation_code_invalid", ["code"]);
      expect(res.body.error.details).toEqual({ attemptsRemaining: 5 - i });
    }
    expectError(await confirm({ clientId: client.clientId, code: wrong }), 423, "confirmation_locked", ["code"]);
    expectError(await confirm({ clientId: client.clientId, code }), 423, "confirmation_locked", ["code"]);
    expect(await clientState(client.clientId)).toEqual({ verificationStatus: "not_verified", emailConfirmedAt: null });

    // A new email (after the cooldown) opens a fresh confirmation whose code works.
    await getDb()
      .update(emailConfirmations)
      .set({ lastSentAt: new Date(Date.now() - 61_000) })
      .where(eq(emailConfirmations.clientId, client.clientId));
    expect((await api.post("/api/public/confirm-email/resend", undefined, bearer(client.token))).status).toBe(202);
    const fresh = codeIn((await latestEmailTo(client.email))?.text);
    const done = await confirm({ clientId: client.clientId, code: fresh });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  });

  it("answers an expired confirmation with 410 confirmation_code_expired, every time", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const mail = await latestEmailTo(client.email);
    await getDb()
      .update(emailConfirmations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(emailConfirmations.clientId, client.clientId));
    expectError(
      await confirm({ clientId: client.clientId, code: codeIn(mail?.text) }),
      410,
      "confirmation_code_expired",
      ["code"],
    );
    expectError(
      await confirm({ clientId: client.clientId, code: codeIn(mail?.text) }),
      410,
      "confirmation_code_expired",
      ["code"],
    );
    expectError(await confirm({ token: tokenInLink(mail?.text) }), 410, "confirmation_code_expired", ["token"]);
    expect((await clientState(client.clientId))?.verificationStatus).toBe("not_verified");
  });

  it("refuses unknown link tokens and malformed bodies", async () => {
    expectError(await confirm({ token: "x".repeat(43) }), 400, "confirmation_code_invalid", ["token"]);
    const partner = await createTestPartner();
    const client = await registered(partner);
    expectError(await confirm({ clientId: client.clientId }), 422, "validation_failed");
    expectError(await confirm({ clientId: "not-a-uuid", code: "123456" }), 422, "validation_failed");
    expect((await clientState(client.clientId))?.verificationStatus).toBe("not_verified");
  });

  it("resends with the client's bearer token: 202 and a new email whose code works; again at once is 429 resend_cooldown; without a token 401", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const first = await latestEmailTo(client.email);
    const firstLink = tokenInLink(first?.text);

    // Right after registration the cooldown applies.
    expectError(
      await api.post("/api/public/confirm-email/resend", undefined, bearer(client.token)),
      429,
      "resend_cooldown",
    );
    await getDb()
      .update(emailConfirmations)
      .set({ lastSentAt: new Date(Date.now() - 61_000) })
      .where(and(eq(emailConfirmations.clientId, client.clientId), eq(emailConfirmations.state, "pending")));

    const resent = await api.post("/api/public/confirm-email/resend", undefined, bearer(client.token));
    expect(resent.status, JSON.stringify(resent.body)).toBe(202);
    const second = await latestEmailTo(client.email);
    expect(second?.id).not.toBe(first?.id);
    expect(second?.template).toBe("email_confirmation");

    const tooSoon = await api.post("/api/public/confirm-email/resend", undefined, bearer(client.token));
    expectError(tooSoon, 429, "resend_cooldown");
    expect(Number(tooSoon.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await latestEmailTo(client.email))?.id).toBe(second?.id);

    expectError(await api.post("/api/public/confirm-email/resend"), 401, "unauthorized", ["Authorization"]);
    expectError(await api.post("/api/public/confirm-email/resend", undefined, bearer("garbage")), 401, "invalid_token");

    // The new email replaces the old one: its link is dead, the new code confirms.
    expectError(await confirm({ token: firstLink }), 400, "confirmation_code_invalid", ["token"]);
    const done = await confirm({ clientId: client.clientId, code: codeIn(second?.text) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expectError(
      await api.post("/api/public/confirm-email/resend", undefined, bearer(client.token)),
      409,
      "already_confirmed",
    );
  });
});

describe("GET /wallet/accounts with a white-label token", () => {
  it("lists the CHECKING account with balance 0.00; refuses no token and a garbage token with 401", async () => {
    const partner = await createTestPartner({ defaultCurrency: "GBP" });
    const client = await registered(partner);
    const res = await api.get("/wallet/accounts", bearer(client.token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual([{ id: expect.any(String), type: "CHECKING", currency: "GBP", balance: "0.00" }]);

    expectError(await api.get("/wallet/accounts"), 401, "unauthorized", ["Authorization"]);
    expectError(await api.get("/wallet/accounts", bearer("garbage")), 401, "invalid_token");
    // A well-formed JWT with a broken signature is refused the same way.
    const [h, p] = client.token.split(".");
    expectError(await api.get("/wallet/accounts", bearer(`${h}.${p}.${"A".repeat(342)}`)), 401, "invalid_token");
  });
});
