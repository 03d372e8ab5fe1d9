import { randomBytes } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, clients, emailOutbox, passwordResets, refreshTokens } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { verifyPassword } from "../../server/passwords/hasher";
import {
  FORGOT_ANSWER_FLOOR_MS,
  FORGOT_PER_ACCOUNT_HOUR,
  FORGOT_PER_IP_HOUR,
  RESET_TRIES_PER_ACCOUNT_HOUR,
} from "../../server/registration/password-reset";
import {
  codeIn,
  createTestPartner,
  STRONG_PARTNER_PASSWORD,
  STRONG_WL_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type TestPartner,
} from "../support/api";

/**
 * Client password reset over HTTP, both flavours: step 1 answers alike for
 * every address, step 2 follows the registration code rules, and a reset
 * ends every session. Each test sends from an address of its own (the test
 * plays a trusted proxy), so the per-address quotas are its alone.
 */

const api = useApi();
const APP_URL = process.env.APP_URL!.replace(/\/+$/, "");
const NEW_PARTNER_PASSWORD = "N3w#Secret";
const NEW_WL_PASSWORD = "Newpass123";

beforeAll(() => {
  process.env.TRUSTED_PROXY_COUNT = "1";
  resetConfigForTests();
});
afterAll(() => {
  delete process.env.TRUSTED_PROXY_COUNT;
  resetConfigForTests();
});

/** An address of the test's own, as a proxy in front of the app would pass it on. */
function ownAddress(): Record<string, string> {
  return { "X-Forwarded-For": `2001:db8:${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}::9` };
}

/** A partner-API client, registered through both steps of POST /reg/user. */
async function partnerClient(partner: TestPartner, from: Record<string, string>) {
  const email = uniqueEmail("reset");
  const headers = { partnerId: String(partner.id), ...from };
  expect((await api.post("/reg/user", { email, password: STRONG_PARTNER_PASSWORD }, headers)).status).toBe(202);
  const code = partner.sandbox ? "12345" : codeIn((await emailsTo(email)).at(-1)?.text);
  const done = await api.post(
    "/reg/user",
    { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: code },
    headers,
  );
  expect(done.status).toBe(201);
  return { email, clientId: (done.body.user_id as string).slice(4), refreshToken: done.body.refresh_token as string };
}

/** A white-label client, registered in one step. */
async function whiteLabelClient(partner: TestPartner, from: Record<string, string>) {
  const email = uniqueEmail("reset-wl");
  const done = await api.post("/api/public/register", whiteLabelBody({ email }), {
    partnerId: String(partner.id),
    ...from,
  });
  expect(done.status).toBe(201);
  return { email, clientId: done.body.clientId as string, refreshToken: done.body.refresh_token as string };
}

async function emailsTo(address: string) {
  return getDb()
    .select({ template: emailOutbox.template, text: emailOutbox.textBody, clientId: emailOutbox.clientId })
    .from(emailOutbox)
    .where(sql`lower(${emailOutbox.toAddress}) = lower(${address})`)
    .orderBy(asc(emailOutbox.createdAt));
}

async function resetEmails(address: string) {
  return (await emailsTo(address)).filter((e) => e.template === "password_reset_code");
}

/** The code on its own line of the text body (the link's token may hold six digits in a row too). */
function resetCodeIn(text: string | undefined): string {
  const match = /^ {4}(\d{5,6})$/m.exec(text ?? "");
  if (!match) throw new Error(`no code in email: ${text}`);
  return match[1]!;
}

async function latestResetCode(address: string): Promise<string> {
  return resetCodeIn((await resetEmails(address)).at(-1)?.text);
}

function linkIn(text: string | undefined): URL {
  const match = /https?:\/\/\S+\/reset-password\?\S+/.exec(text ?? "");
  if (!match) throw new Error(`no reset link in email: ${text}`);
  return new URL(match[0]);
}

async function resetRows(clientId: string) {
  return getDb()
    .select({
      id: passwordResets.id,
      state: passwordResets.state,
      attempts: passwordResets.attempts,
      codeHash: passwordResets.codeHash,
      expiresAt: passwordResets.expiresAt,
      lastSentAt: passwordResets.lastSentAt,
    })
    .from(passwordResets)
    .where(eq(passwordResets.clientId, clientId))
    .orderBy(asc(passwordResets.createdAt));
}

async function storedHash(clientId: string): Promise<string> {
  const [row] = await getDb().select({ hash: clients.passwordHash }).from(clients).where(eq(clients.id, clientId));
  return row!.hash;
}

describe("POST /reg/password/forgot and /reg/password/reset (partner API)", () => {
  it("emails a known client a 6-digit code and a 30-minute link; the code sets a new argon2id password, ends every session and is followed by a password-changed email", async () => {
    const from = ownAddress();
    const partner = await createTestPartner();
    const { email, clientId, refreshToken } = await partnerClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    // A second session, to see that every family ends.
    const second = await api.post(
      "/oauth/token",
      { grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD },
      headers,
    );
    expect(second.status).toBe(200);

    const forgot = await api.post("/reg/password/forgot", { email }, headers);
    expect(forgot.status).toBe(202);
    expect(forgot.body).toEqual({});

    const [mail] = await resetEmails(email);
    expect(mail).toMatchObject({ clientId });
    const code = resetCodeIn(mail!.text);
    expect(code).toMatch(/^\d{6}$/);
    expect(mail!.text).toContain("30 minutes");
    const link = linkIn(mail!.text);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP_URL}/reset-password`);
    expect(link.searchParams.get("partnerId")).toBe(String(partner.id));
    expect(link.searchParams.get("flavour")).toBe("partner");
    expect(link.searchParams.get("token")?.length).toBeGreaterThan(30);

    const [row] = await resetRows(clientId);
    expect(row).toMatchObject({ state: "pending", attempts: 0 });
    // Stored as a keyed hash, never the code itself.
    expect(row!.codeHash).not.toContain(code);
    expect(row!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Math.abs(row!.expiresAt.getTime() - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);

    const oldHash = await storedHash(clientId);
    const reset = await api.post("/reg/password/reset", { email, code, password: NEW_PARTNER_PASSWORD }, headers);
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ passwordChanged: true });

    const newHash = await storedHash(clientId);
    expect(newHash).not.toBe(oldHash);
    expect(newHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(newHash, NEW_PARTNER_PASSWORD)).toBe(true);
    expect((await resetRows(clientId))[0]).toMatchObject({ state: "confirmed" });

    // Every refresh-token family is revoked: neither session can be extended.
    const families = await getDb()
      .select({
        revokedAt: refreshTokens.revokedAt,
        reason: refreshTokens.revokedReason,
        familyId: refreshTokens.familyId,
      })
      .from(refreshTokens)
      .where(eq(refreshTokens.clientId, clientId));
    expect(new Set(families.map((f) => f.familyId)).size).toBe(2);
    for (const f of families) expect(f).toMatchObject({ revokedAt: expect.any(Date), reason: "password_reset" });
    for (const old of [refreshToken, second.body.refresh_token as string]) {
      const refused = await api.post("/oauth/token", { grant_type: "refresh_token", refresh_token: old }, headers);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: "invalid_grant" });
    }

    // The old password no longer signs in; the new one does.
    expect(
      (
        await api.post(
          "/oauth/token",
          { grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD },
          headers,
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await api.post(
          "/oauth/token",
          { grant_type: "password", username: email, password: NEW_PARTNER_PASSWORD },
          headers,
        )
      ).status,
    ).toBe(200);

    const changed = (await emailsTo(email)).at(-1);
    expect(changed).toMatchObject({ template: "password_changed", clientId });
    expect(changed!.text).not.toContain(NEW_PARTNER_PASSWORD);

    const events = await getDb()
      .select({
        action: auditEvents.action,
        actorType: auditEvents.actorType,
        actorId: auditEvents.actorId,
        after: auditEvents.after,
        requestId: auditEvents.requestId,
      })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, clientId), sql`${auditEvents.action} like 'client.password_reset%'`))
      .orderBy(asc(auditEvents.id));
    expect(events.map((e) => e.action)).toEqual(["client.password_reset_requested", "client.password_reset"]);
    expect(events[1]).toMatchObject({
      actorType: "client",
      actorId: clientId,
      after: { via: "code", flavour: "partner", sessionsEnded: 2 },
      requestId: reset.headers.get("x-request-id"),
    });
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it("sandbox partners' code is always 12345", async () => {
    const from = ownAddress();
    const partner = await createTestPartner({ sandbox: true });
    const { email } = await partnerClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    expect((await api.post("/reg/password/forgot", { email }, headers)).status).toBe(202);
    expect(await latestResetCode(email)).toBe("12345");
    expect(
      (await api.post("/reg/password/reset", { email, code: "12345", password: NEW_PARTNER_PASSWORD }, headers)).status,
    ).toBe(200);
  });

  it("applies the partner API password policy, naming the password field", async () => {
    const from = ownAddress();
    const partner = await createTestPartner({ sandbox: true });
    const { email, clientId } = await partnerClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    expect((await api.post("/reg/password/forgot", { email }, headers)).status).toBe(202);
    // Good enough for the white-label policy, but it has no symbol.
    const weak = await api.post("/reg/password/reset", { email, code: "12345", password: STRONG_WL_PASSWORD }, headers);
    expect(weak.status).toBe(422);
    expect(weak.body.error).toMatchObject({
      code: "validation_failed",
      fields: [{ path: "password", message: expect.stringContaining("symbol") }],
    });
    // Refused before the code was looked at: it still works.
    expect((await resetRows(clientId))[0]).toMatchObject({ state: "pending", attempts: 0 });
    const missing = await api.post("/reg/password/reset", { email, password: NEW_PARTNER_PASSWORD }, headers);
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields.map((f: { path: string }) => f.path)).toEqual(["code"]);
  });

  it("needs the partnerId header", async () => {
    const noHeader = await api.post("/reg/password/forgot", { email: uniqueEmail() }, ownAddress());
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.error).toMatchObject({ code: "partner_required", fields: [{ path: "partnerId" }] });
    const unknown = await api.post(
      "/reg/password/reset",
      { email: uniqueEmail(), code: "123456", password: NEW_PARTNER_PASSWORD },
      { partnerId: "2147483646", ...ownAddress() },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("partner_not_found");
  });
});

describe("POST /api/public/password/forgot and /api/public/password/reset (white-label API)", () => {
  it("the link's token sets a new password under the white-label policy and ends the sessions", async () => {
    const from = ownAddress();
    const partner = await createTestPartner();
    const { email, clientId, refreshToken } = await whiteLabelClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    const forgot = await api.post("/api/public/password/forgot", { email }, headers);
    expect(forgot.status).toBe(202);
    expect(forgot.body).toEqual({});

    const link = linkIn((await resetEmails(email)).at(-1)?.text);
    expect(link.searchParams.get("flavour")).toBe("white-label");
    expect(link.searchParams.get("partnerId")).toBe(String(partner.id));
    const token = link.searchParams.get("token")!;

    // The white-label policy wants no symbol; the partner API's would refuse this password.
    const reset = await api.post(
      "/api/public/password/reset",
      { token, password: NEW_WL_PASSWORD },
      { partnerId: link.searchParams.get("partnerId")!, ...from },
    );
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ passwordChanged: true });
    expect(await verifyPassword(await storedHash(clientId), NEW_WL_PASSWORD)).toBe(true);

    const refresh = await api.post("/api/token/refresh", { refresh_token: refreshToken }, from);
    expect(refresh.status).toBe(401);
    expect(refresh.body.error.code).toBe("refresh_token_invalid");
    expect(
      (await api.post("/api/public/authenticate", { username: email, password: STRONG_WL_PASSWORD }, headers)).status,
    ).toBe(401);
    const signIn = await api.post("/api/public/authenticate", { username: email, password: NEW_WL_PASSWORD }, headers);
    expect(signIn.status).toBe(200);
    expect(signIn.body.clientId).toBe(clientId);
    expect((await emailsTo(email)).at(-1)?.template).toBe("password_changed");

    // The link worked once.
    const again = await api.post("/api/public/password/reset", { token, password: "Another123" }, headers);
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: "confirmation_code_invalid", fields: [{ path: "token" }] });
  });

  it("the emailed code works too, and a token of another partner's client is not valid here", async () => {
    const from = ownAddress();
    const partner = await createTestPartner();
    const other = await createTestPartner();
    const { email } = await whiteLabelClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    expect((await api.post("/api/public/password/forgot", { email }, headers)).status).toBe(202);
    const mail = (await resetEmails(email)).at(-1);
    const token = linkIn(mail?.text).searchParams.get("token")!;
    const elsewhere = await api.post(
      "/api/public/password/reset",
      { token, password: NEW_WL_PASSWORD },
      { partnerId: String(other.id), ...from },
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.code).toBe("confirmation_code_invalid");
    const weak = await api.post(
      "/api/public/password/reset",
      { email, code: resetCodeIn(mail?.text), password: "alllowercase1" },
      headers,
    );
    expect(weak.status).toBe(422);
    expect(weak.body.error.fields).toEqual([
      { path: "password", message: "Password must contain an upper-case letter" },
    ]);
    const done = await api.post(
      "/api/public/password/reset",
      { email, code: resetCodeIn(mail?.text), password: NEW_WL_PASSWORD },
      headers,
    );
    expect(done.status).toBe(200);
  });

  it("a partner API client resetting here still needs its own flavour's policy: a password without a symbol is refused, naming password", async () => {
    const from = ownAddress();
    const partner = await createTestPartner({ sandbox: true });
    const { email, clientId } = await partnerClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    const before = await storedHash(clientId);
    expect((await api.post("/api/public/password/forgot", { email }, headers)).status).toBe(202);
    // Good enough for the white-label policy, which this endpoint names, but it has no symbol.
    const weak = await api.post(
      "/api/public/password/reset",
      { email, code: "12345", password: NEW_WL_PASSWORD },
      headers,
    );
    expect(weak.status).toBe(422);
    expect(weak.body.error).toMatchObject({
      code: "validation_failed",
      fields: [{ path: "password", message: expect.stringContaining("symbol") }],
    });
    expect(await storedHash(clientId)).toBe(before);
    // Refused without spending a try: the reset stays open for a better password.
    expect((await resetRows(clientId))[0]).toMatchObject({ state: "pending", attempts: 0 });
    // With a wrong code the policy is not looked at, so the answer tells nothing of the client's flavour.
    const guess = await api.post(
      "/api/public/password/reset",
      { email, code: "54321", password: NEW_WL_PASSWORD },
      headers,
    );
    expect(guess.status).toBe(400);
    expect(guess.body.error).toMatchObject({ code: "confirmation_code_invalid", fields: [{ path: "code" }] });
    const done = await api.post(
      "/api/public/password/reset",
      { email, code: "12345", password: NEW_PARTNER_PASSWORD },
      headers,
    );
    expect(done.status).toBe(200);
    expect(await verifyPassword(await storedHash(clientId), NEW_PARTNER_PASSWORD)).toBe(true);
  });

  it("resolves the partner from a master API key as registration does", async () => {
    const from = ownAddress();
    const partner = await createTestPartner({ sandbox: true });
    const { email, clientId } = await whiteLabelClient(partner, from);
    const keyed = { authorization: `Bearer ${partner.masterKey}`, ...from };
    expect((await api.post("/api/public/password/forgot", { email }, keyed)).status).toBe(202);
    expect(
      (await api.post("/api/public/password/reset", { email, code: "12345", password: NEW_WL_PASSWORD }, keyed)).status,
    ).toBe(200);
    const [requested] = await getDb()
      .select({ actorType: auditEvents.actorType })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, clientId), eq(auditEvents.action, "client.password_reset_requested")));
    expect(requested).toEqual({ actorType: "api_key" });
  });
});

describe("step 1 does not reveal who is a client", () => {
  /** The answer as a partner's app sees it, byte for byte, and how long it took. */
  async function raw(path: string, email: string, headers: Record<string, string>) {
    const started = performance.now();
    const res = await fetch(api.url + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ email }),
    });
    const body = await res.text();
    const ms = performance.now() - started;
    const visibleHeaders = [...res.headers.entries()]
      .filter(([name]) => !["date", "x-request-id"].includes(name))
      .sort();
    return { status: res.status, body, visibleHeaders, ms };
  }

  it.each([
    ["/reg/password/forgot", "partner"],
    ["/api/public/password/forgot", "white-label"],
  ] as const)(
    "%s answers a known and an unknown email with the same status, headers and bytes, no sooner than the floor",
    async (path, flavour) => {
      const from = ownAddress();
      const partner = await createTestPartner();
      const known = flavour === "partner" ? await partnerClient(partner, from) : await whiteLabelClient(partner, from);
      const headers = { partnerId: String(partner.id), ...from };
      const answers = [];
      // Interleaved, so a slow moment of the machine falls on both kinds alike.
      for (const email of [known.email, uniqueEmail("nobody"), known.email.toUpperCase(), uniqueEmail("nobody")])
        answers.push(await raw(path, email, headers));
      for (const a of answers) {
        expect(a.status).toBe(202);
        expect(a.body).toBe("{}");
        expect(a.visibleHeaders).toEqual(answers[0]!.visibleHeaders);
        expect(a.ms).toBeGreaterThanOrEqual(FORGOT_ANSWER_FLOOR_MS - 5);
      }
      // Only the known address got mail (once: the second ask fell within the cooldown).
      expect(await resetEmails(known.email)).toHaveLength(1);
    },
  );

  it("a suspended client is answered alike and sent nothing", async () => {
    const from = ownAddress();
    const partner = await createTestPartner();
    const { email, clientId } = await whiteLabelClient(partner, from);
    await getDb().update(clients).set({ profileState: "suspended" }).where(eq(clients.id, clientId));
    const res = await api.post("/api/public/password/forgot", { email }, { partnerId: String(partner.id), ...from });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({});
    expect(await resetEmails(email)).toEqual([]);
  });
});

describe("the registration code rules apply to reset codes", () => {
  async function openReset(flavourSandbox = false) {
    const from = ownAddress();
    const partner = await createTestPartner({ sandbox: flavourSandbox });
    const client = await partnerClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    expect((await api.post("/reg/password/forgot", { email: client.email }, headers)).status).toBe(202);
    return { ...client, headers, code: await latestResetCode(client.email) };
  }
  const wrongCodeFor = (code: string) => (code === "000000" ? "000001" : "000000");

  /** The error as sent, without the request id, which differs on every answer. */
  const errorOf = (body: { error: Record<string, unknown> }) => {
    const { requestId: _requestId, ...rest } = body.error;
    return JSON.stringify(rest);
  };
  const AS_UNKNOWN = {
    code: "confirmation_code_invalid",
    message: "The code is not valid",
    fields: [{ path: "code" }],
  };

  it("five wrong codes lock the reset: every answer is the unknown email's 400, and then the right code is refused too", async () => {
    const { email, clientId, headers, code } = await openReset();
    const before = await storedHash(clientId);
    const unknown = await api.post(
      "/reg/password/reset",
      { email: uniqueEmail("nobody"), code: wrongCodeFor(code), password: NEW_PARTNER_PASSWORD },
      headers,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject(AS_UNKNOWN);
    expect(unknown.body.error).not.toHaveProperty("details");
    for (let i = 0; i < 5; i++) {
      const res = await api.post(
        "/reg/password/reset",
        { email, code: wrongCodeFor(code), password: NEW_PARTNER_PASSWORD },
        headers,
      );
      expect(res.status).toBe(400);
      // Byte for byte the unknown email's answer, but for the request id: no tries left, no lock.
      expect(errorOf(res.body)).toBe(errorOf(unknown.body));
    }
    expect((await resetRows(clientId))[0]).toMatchObject({ state: "locked", attempts: 5 });
    const right = await api.post("/reg/password/reset", { email, code, password: NEW_PARTNER_PASSWORD }, headers);
    expect(right.status).toBe(400);
    expect(errorOf(right.body)).toBe(errorOf(unknown.body));
    expect(await storedHash(clientId)).toBe(before);
    expect((await resetRows(clientId))[0]).toMatchObject({ state: "locked", attempts: 5 });
    const [locked] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, clientId), eq(auditEvents.action, "client.password_reset_locked")));
    expect(locked!.n).toBe(1);
  });

  it("the link's token, a secret of the email's reader, still says locked (423) and expired (410)", async () => {
    const { email, clientId, headers, code } = await openReset();
    const token = linkIn((await resetEmails(email)).at(-1)?.text).searchParams.get("token")!;
    const before = await storedHash(clientId);
    for (let i = 0; i < 5; i++)
      await api.post(
        "/reg/password/reset",
        { email, code: wrongCodeFor(code), password: NEW_PARTNER_PASSWORD },
        headers,
      );
    const locked = await api.post("/reg/password/reset", { token, password: NEW_PARTNER_PASSWORD }, headers);
    expect(locked.status).toBe(423);
    expect(locked.body.error).toMatchObject({ code: "confirmation_locked", fields: [{ path: "token" }] });

    const other = await openReset();
    const otherToken = linkIn((await resetEmails(other.email)).at(-1)?.text).searchParams.get("token")!;
    await getDb()
      .update(passwordResets)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(passwordResets.clientId, other.clientId));
    const expired = await api.post(
      "/reg/password/reset",
      { token: otherToken, password: NEW_PARTNER_PASSWORD },
      other.headers,
    );
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatchObject({ code: "confirmation_code_expired", fields: [{ path: "token" }] });
    expect(await storedHash(clientId)).toBe(before);
  });

  it("an expired reset answers as an unknown email with the code, and changes nothing", async () => {
    const { email, clientId, headers, code } = await openReset();
    const before = await storedHash(clientId);
    await getDb()
      .update(passwordResets)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(passwordResets.clientId, clientId));
    const res = await api.post("/reg/password/reset", { email, code, password: NEW_PARTNER_PASSWORD }, headers);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject(AS_UNKNOWN);
    expect(res.body.error).not.toHaveProperty("details");
    expect(await storedHash(clientId)).toBe(before);
    expect((await resetRows(clientId))[0]).toMatchObject({ state: "expired" });
  });

  it.each(["suspended", "blocked"] as const)(
    "a %s client's open reset does not work: answered as a wrong code, nothing changes",
    async (profileState) => {
      const { email, clientId, headers, code } = await openReset();
      const before = await storedHash(clientId);
      await getDb().update(clients).set({ profileState }).where(eq(clients.id, clientId));
      const res = await api.post("/reg/password/reset", { email, code, password: NEW_PARTNER_PASSWORD }, headers);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject(AS_UNKNOWN);
      expect(res.body.error).not.toHaveProperty("details");
      expect(await storedHash(clientId)).toBe(before);
      expect((await resetRows(clientId))[0]).toMatchObject({ state: "pending", attempts: 0 });
      expect((await emailsTo(email)).filter((e) => e.template === "password_changed")).toEqual([]);
    },
  );

  it("a code works once", async () => {
    const { email, headers, code } = await openReset();
    expect(
      (await api.post("/reg/password/reset", { email, code, password: NEW_PARTNER_PASSWORD }, headers)).status,
    ).toBe(200);
    const reuse = await api.post("/reg/password/reset", { email, code, password: "0ther#Pass" }, headers);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error.code).toBe("confirmation_code_invalid");
  });

  it("an unknown email is answered as a wrong code", async () => {
    const { headers } = await openReset();
    const res = await api.post(
      "/reg/password/reset",
      { email: uniqueEmail("nobody"), code: "123456", password: NEW_PARTNER_PASSWORD },
      headers,
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject(AS_UNKNOWN);
    expect(res.body.error).not.toHaveProperty("details");
  });

  it("asking again within 60 seconds sends nothing; after the cooldown the new code replaces the old one", async () => {
    const { email, clientId, headers, code } = await openReset();
    expect((await api.post("/reg/password/forgot", { email }, headers)).status).toBe(202);
    expect(await resetEmails(email)).toHaveLength(1);

    await getDb()
      .update(passwordResets)
      .set({ lastSentAt: new Date(Date.now() - 61_000) })
      .where(eq(passwordResets.clientId, clientId));
    expect((await api.post("/reg/password/forgot", { email }, headers)).status).toBe(202);
    expect(await resetEmails(email)).toHaveLength(2);
    const rows = await resetRows(clientId);
    expect(rows).toHaveLength(1);
    const fresh = await latestResetCode(email);
    if (fresh !== code) {
      const old = await api.post("/reg/password/reset", { email, code, password: NEW_PARTNER_PASSWORD }, headers);
      expect(old.status).toBe(400);
    }
    expect(
      (await api.post("/reg/password/reset", { email, code: fresh, password: NEW_PARTNER_PASSWORD }, headers)).status,
    ).toBe(200);
  });

  it("two resets racing with one code: exactly one changes the password", async () => {
    const { email, clientId, headers, code } = await openReset();
    const passwords = ["Rac3#First", "Rac3#Second"];
    const results = await Promise.all(
      passwords.map((password) => api.post("/reg/password/reset", { email, code, password }, headers)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const loser = results.find((r) => r.status === 400)!;
    expect(loser.body.error.code).toBe("confirmation_code_invalid");
    const winner = passwords[results.findIndex((r) => r.status === 200)]!;
    expect(await verifyPassword(await storedHash(clientId), winner)).toBe(true);
    expect((await emailsTo(email)).filter((e) => e.template === "password_changed")).toHaveLength(1);
  });
});

describe("quotas", () => {
  it(`step 1: the request after ${FORGOT_PER_ACCOUNT_HOUR} in an hour for one email is refused with 429 and Retry-After, client or not`, async () => {
    const from = ownAddress();
    const partner = await createTestPartner();
    const { email } = await whiteLabelClient(partner, from);
    const headers = { partnerId: String(partner.id), ...from };
    for (const address of [email, uniqueEmail("nobody")]) {
      const statuses = await Promise.all(
        Array.from({ length: FORGOT_PER_ACCOUNT_HOUR }, () =>
          api.post("/api/public/password/forgot", { email: address }, headers),
        ),
      );
      expect(statuses.map((s) => s.status)).toEqual(Array(FORGOT_PER_ACCOUNT_HOUR).fill(202));
      const refused = await api.post("/api/public/password/forgot", { email: address }, headers);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({
        code: "quota_exceeded",
        details: { quota: "per_account_hour", limit: FORGOT_PER_ACCOUNT_HOUR },
      });
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it(`step 1: the request after ${FORGOT_PER_IP_HOUR} in an hour from one address is refused`, async () => {
    const from = ownAddress();
    const partner = await createTestPartner();
    const headers = { partnerId: String(partner.id), ...from };
    const answers = await Promise.all(
      Array.from({ length: FORGOT_PER_IP_HOUR }, () =>
        api.post("/reg/password/forgot", { email: uniqueEmail("nobody") }, headers),
      ),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const refused = await api.post("/reg/password/forgot", { email: uniqueEmail("nobody") }, headers);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "quota_exceeded",
      details: { quota: "per_ip_hour", limit: FORGOT_PER_IP_HOUR },
    });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is not held back.
    expect(
      (
        await api.post(
          "/reg/password/forgot",
          { email: uniqueEmail("nobody") },
          { partnerId: String(partner.id), ...ownAddress() },
        )
      ).status,
    ).toBe(202);
  });

  it(`step 2: attempts for one email are limited to ${RESET_TRIES_PER_ACCOUNT_HOUR} an hour, from any address`, async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail("nobody");
    for (let i = 0; i < RESET_TRIES_PER_ACCOUNT_HOUR; i++) {
      const res = await api.post(
        "/reg/password/reset",
        { email, code: "123456", password: NEW_PARTNER_PASSWORD },
        { partnerId: String(partner.id), ...ownAddress() },
      );
      expect(res.status).toBe(400);
    }
    const refused = await api.post(
      "/reg/password/reset",
      { email, code: "123456", password: NEW_PARTNER_PASSWORD },
      { partnerId: String(partner.id), ...ownAddress() },
    );
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "quota_exceeded", details: { quota: "per_account_hour" } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
