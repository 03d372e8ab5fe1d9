import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { apiKeys, clients, emailConfirmations, pendingRegistrations, refreshTokens, staffUsers } from "../../db/schema";
import { config, resetConfigForTests } from "../../env";
import { sandboxActionSchema, submitSandboxAction } from "../../server/kyc/sandbox-provider";
import { log, SECRET_FIELDS, SECRET_HEADERS, withLogFields } from "../../server/log";
import { confirmTotpEnrollment, startTotpEnrollment } from "../../server/staff/account";
import { signInStaff } from "../../server/staff/sign-in";
import { currentTotp } from "../../server/staff/totp";
import {
  codeIn,
  createTestPartner,
  latestEmailTo,
  STRONG_PARTNER_PASSWORD,
  STRONG_WL_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type ApiResponse,
} from "../support/api";
import { credit, registerSubscriber, sandboxPartnerWithTier } from "../support/billing";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

// Every level is written, so a secret in a debug line is caught as well.
const previousLogLevel = vi.hoisted(() => {
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "debug";
  return previous;
});

const api = useApi();

/**
 * Every line the process writes while the flows run: log.ts writes to
 * process.stdout and process.stderr, libraries (Auth.js) to the console.
 */
const lines: string[] = [];
const restoreSinks: (() => void)[] = [];

function captureSinks() {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = (chunk: string | Uint8Array) => {
      lines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    };
    restoreSinks.push(() => (stream.write = original));
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(
        args
          .map((a) =>
            a instanceof Error ? `${a.name}: ${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a),
          )
          .join(" "),
      );
    });
    restoreSinks.push(() => spy.mockRestore());
  }
}

beforeAll(() => {
  resetConfigForTests();
  captureSinks();
});

afterAll(() => {
  for (const restore of restoreSinks.splice(0)) restore();
  if (previousLogLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLogLevel;
  resetConfigForTests();
});

/** Secrets seen during the flows, by what they are. Hashes are read from the database at the end. */
const secrets = new Map<string, string>();
/** Values that must never be in a response either: hashes and TOTP seeds. */
const neverInResponses = new Set<string>();
const responses: { what: string; body: string }[] = [];

function secret(kind: string, value: string | null | undefined) {
  if (typeof value === "string" && value.length >= 6) secrets.set(value, kind);
}
function hidden(kind: string, value: string | null | undefined) {
  secret(kind, value);
  if (typeof value === "string" && value.length >= 6) neverInResponses.add(value);
}
function seen<T extends ApiResponse>(what: string, res: T): T {
  responses.push({ what, body: JSON.stringify(res.body) ?? "" });
  return res;
}
function seenProcedure<T>(what: string, result: T): T {
  responses.push({ what, body: JSON.stringify(result) });
  return result;
}

/** A 6-digit code that is not this one. */
const otherCode = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, "0");

// What any argon2 hash or sealed secret looks like, whoever it belongs to.
const ARGON2 = /\$argon2(id|i|d)\$/;
const SEALED = /\bv1\.[\w-]{16}\.[\w-]+\.[\w-]{22}\b/;

const partnerIds: number[] = [];
const clientIds: string[] = [];
const staffIds: string[] = [];

describe("secrets never reach a log line or a response", () => {
  it("partner API: registration with the emailed code, a wrong code, login, and refresh-token rotation and reuse", async () => {
    const partner = await createTestPartner();
    partnerIds.push(partner.id);
    secret("master key", partner.masterKey);
    const headers = { partnerId: String(partner.id) };
    const email = uniqueEmail("leak");
    const body = { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD };
    secret("client password", STRONG_PARTNER_PASSWORD);

    expect(seen("step 1", await api.post("/reg/user", body, headers)).status).toBe(202);
    const code = codeIn((await latestEmailTo(email))?.text);
    secret("confirmation code", code);
    const [pending] = await getDb()
      .select({ passwordHash: pendingRegistrations.passwordHash, codeHash: pendingRegistrations.codeHash })
      .from(pendingRegistrations)
      .where(eq(pendingRegistrations.partnerId, partner.id));
    hidden("pending password hash", pending?.passwordHash);
    hidden("code hash", pending?.codeHash);

    secret("wrong code", otherCode(code));
    expect(
      seen("wrong code", await api.post("/reg/user", { ...body, emailConfirmCode: otherCode(code) }, headers)).status,
    ).toBe(400);
    const done = seen("step 2", await api.post("/reg/user", { ...body, emailConfirmCode: code }, headers));
    expect(done.status).toBe(201);
    clientIds.push(done.body.user_id.slice(4));
    secret("access token", done.body.access_token);
    secret("refresh token", done.body.refresh_token);

    const wrongPassword = "Wrong#Pass9";
    secret("wrong password", wrongPassword);
    expect(
      seen(
        "wrong password",
        await api.post("/oauth/token", { grant_type: "password", username: email, password: wrongPassword }, headers),
      ).status,
    ).toBe(400);
    const login = seen(
      "password grant",
      await api.post(
        "/oauth/token",
        { grant_type: "password", username: email, password: STRONG_PARTNER_PASSWORD },
        headers,
      ),
    );
    expect(login.status).toBe(200);
    secret("refresh token", login.body.refresh_token);

    const rotated = seen(
      "refresh",
      await api.post("/oauth/token", { grant_type: "refresh_token", refresh_token: done.body.refresh_token }),
    );
    expect(rotated.status).toBe(200);
    secret("refresh token", rotated.body.refresh_token);
    secret("access token", rotated.body.access_token);
    // Presenting the rotated token again revokes its family.
    expect(
      seen(
        "reuse",
        await api.post("/oauth/token", { grant_type: "refresh_token", refresh_token: done.body.refresh_token }),
      ).status,
    ).toBe(400);

    // Password reset: the code, the link's token and the new password stay out of the logs and the answers.
    // From an address of its own (the test plays a trusted proxy): other files share the database, and the
    // fuzz tests spend the loopback address's reset quotas.
    process.env.TRUSTED_PROXY_COUNT = "1";
    resetConfigForTests();
    try {
      const fromOwnAddress = {
        ...headers,
        "X-Forwarded-For": `2001:db8:5ec::${Math.floor(Math.random() * 0xffff).toString(16)}`,
      };
      expect(seen("forgot", await api.post("/reg/password/forgot", { email }, fromOwnAddress)).status).toBe(202);
      const resetMail = await latestEmailTo(email);
      const resetCode = /^ {4}(\d{6})$/m.exec(resetMail?.text ?? "")![1]!;
      secret("reset code", resetCode);
      secret("reset link token", /[?&]token=([\w-]+)/.exec(resetMail!.text)![1]);
      const newPassword = "Reset#Pass7";
      secret("new password", newPassword);
      const wrongCode = { email, code: otherCode(resetCode), password: newPassword };
      expect(seen("wrong reset code", await api.post("/reg/password/reset", wrongCode, fromOwnAddress)).status).toBe(
        400,
      );
      const rightCode = { email, code: resetCode, password: newPassword };
      expect(seen("reset", await api.post("/reg/password/reset", rightCode, fromOwnAddress)).status).toBe(200);
    } finally {
      delete process.env.TRUSTED_PROXY_COUNT;
      resetConfigForTests();
    }

    // KYC: a live partner without Sumsub refuses; a sandbox partner's client plays the applicant on the sandbox page.
    expect(
      seen(
        "kyc unavailable",
        await api.post("/reg/verification", { type: "SUMSUB" }, { authorization: `Bearer ${login.body.access_token}` }),
      ).status,
    ).toBe(503);
    const sandboxPartner = await createTestPartner({ sandbox: true });
    partnerIds.push(sandboxPartner.id);
    secret("sandbox master key", sandboxPartner.masterKey);
    const tester = seen(
      "sandbox register",
      await api.post(
        "/api/public/register",
        whiteLabelBody({ email: uniqueEmail("leak-kyc"), password: STRONG_WL_PASSWORD }),
        { partnerId: String(sandboxPartner.id) },
      ),
    );
    expect(tester.status).toBe(201);
    clientIds.push(tester.body.clientId);
    secret("sandbox access token", tester.body.token);
    secret("sandbox refresh token", tester.body.refresh_token);
    const started = seen(
      "kyc start",
      await api.post("/reg/verification", { type: "SUMSUB" }, { authorization: `Bearer ${tester.body.token}` }),
    );
    expect(started.status).toBe(200);
    secret("kyc sandbox token", started.body.token);
    expect(
      await submitSandboxAction(
        anonymousCaller(),
        sandboxActionSchema.parse({ token: started.body.token, action: "submit" }),
      ),
    ).toEqual({ ok: true, result: "applied" });
    expect(
      await submitSandboxAction(
        anonymousCaller(),
        sandboxActionSchema.parse({ token: started.body.token, action: "approve" }),
      ),
    ).toEqual({ ok: true, result: "applied" });
    expect(
      seen("kyc state", await api.get("/reg/verification", { authorization: `Bearer ${tester.body.token}` })).status,
    ).toBe(200);
  });

  it("white-label API: registration with the master key, email confirmation with a wrong and a right code, sign-in and refresh", async () => {
    const partner = await createTestPartner();
    partnerIds.push(partner.id);
    secret("master key", partner.masterKey);
    const body = whiteLabelBody();
    secret("client password", body.password);
    const registered = seen(
      "register",
      await api.post("/api/public/register", body, { authorization: `Bearer ${partner.masterKey}` }),
    );
    expect(registered.status).toBe(201);
    clientIds.push(registered.body.clientId);
    secret("access token", registered.body.token);
    secret("refresh token", registered.body.refresh_token);

    const mail = await latestEmailTo(body.email);
    const code = codeIn(mail?.text);
    secret("confirmation code", code);
    secret("confirmation link token", /token=([\w-]+)/.exec(mail?.text ?? "")?.[1]);
    secret("wrong code", otherCode(code));
    expect(
      seen(
        "wrong code",
        await api.post("/api/public/confirm-email", { clientId: registered.body.clientId, code: otherCode(code) }),
      ).status,
    ).toBe(400);
    expect(
      seen("confirm", await api.post("/api/public/confirm-email", { clientId: registered.body.clientId, code })).status,
    ).toBe(200);

    const auth = { authorization: `Bearer ${partner.masterKey}` };
    secret("wrong password", "Wrong-password-1");
    expect(
      seen(
        "wrong password",
        await api.post("/api/public/authenticate", { username: body.email, password: "Wrong-password-1" }, auth),
      ).status,
    ).toBe(401);
    const signedIn = seen(
      "sign-in",
      await api.post("/api/public/authenticate", { username: body.email, password: body.password }, auth),
    );
    expect(signedIn.status).toBe(200);
    secret("refresh token", signedIn.body.refresh_token);
    const refreshed = seen(
      "refresh",
      await api.post("/api/token/refresh", { refresh_token: signedIn.body.refresh_token }),
    );
    expect(refreshed.status).toBe(200);
    secret("refresh token", refreshed.body.refresh_token);
  });

  it("billing: a client pays the first invoice of a subscription", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier();
    partnerIds.push(partner.id);
    secret("master key", partner.masterKey);
    const client = await registerSubscriber(api, partner.id);
    clientIds.push(client.clientId);
    secret("access token", client.token);
    await credit(client.clientId, "20.00");
    const started = seen(
      "subscribe",
      await api.post(
        "/reg/subscription",
        { accountId: client.accountId, subscriptionDetailsId: tierId, anyCurrency: false },
        client.auth,
      ),
    );
    expect(started.status).toBe(201);
    expect(
      seen(
        "payment",
        await api.post(
          "/invoice/payment",
          { invoiceId: started.body.id, type: "PLATFORM", accountId: client.accountId, currency: "EUR" },
          client.auth,
        ),
      ).status,
    ).toBe(201);
    const paid = seen("pay", await api.post("/invoice/payment/pay", { invoiceId: started.body.id }, client.auth));
    expect(paid.body.payment).toMatchObject({ status: "PAID" });
  });

  it("back office: staff sign-in with TOTP, an API key, a staff member with a temporary password, and a refused query", async () => {
    const admin = await createTestStaff("admin", "Admin password for the leak test 1");
    staffIds.push(admin.id);
    secret("staff password", admin.password);
    secret("wrong staff password", "not the admin password");
    expect(
      await signInStaff(anonymousCaller(), { email: admin.email, password: "not the admin password" }),
    ).toMatchObject({ ok: false });

    const { secret: totpSecret } = await startTotpEnrollment(await staffCaller(admin));
    hidden("TOTP secret", totpSecret);
    const wrongTotp = otherCode(currentTotp(totpSecret));
    secret("wrong TOTP code", wrongTotp);
    await expect(
      confirmTotpEnrollment(await staffCaller(admin), { secret: totpSecret, code: wrongTotp }),
    ).rejects.toThrow();
    const enrolmentCode = currentTotp(totpSecret);
    secret("TOTP code", enrolmentCode);
    await confirmTotpEnrollment(await staffCaller(admin), { secret: totpSecret, code: enrolmentCode });
    expect(
      await signInStaff(anonymousCaller(), { email: admin.email, password: admin.password, totp: wrongTotp }),
    ).toEqual({ ok: false, reason: "totp_invalid" });
    expect(await signInStaff(anonymousCaller(), { email: admin.email, password: admin.password })).toMatchObject({
      ok: false,
    });

    const caller = callerFor(admin);
    const partnerId = partnerIds[0]!;
    const key = await caller.apiKey.create({ partnerId, name: "leak test key" });
    secret("master key", key.key);

    const created = await caller.staff.create({
      email: uniqueEmail("leak-staff"),
      name: "Leak Test Operator",
      role: "operations",
    });
    staffIds.push(created.id);
    secret("temporary password", created.temporaryPassword);

    // The database refuses the row (a NUL character) whose parameters carry the new password's hash.
    await expect(
      caller.staff.create({ email: uniqueEmail("leak-nul"), name: "Nul\u0000byte", role: "operations" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(
      lines.some((l) => l.includes("the database refused a procedure's input")),
      "the refusal is logged (and captured)",
    ).toBe(true);

    // What the back office reads back about these people, keys and partners.
    seenProcedure("staff.list", await caller.staff.list());
    seenProcedure("account.security", await caller.account.security());
    seenProcedure("apiKey.list", await caller.apiKey.list({ partnerId }));
    for (const id of partnerIds) seenProcedure("partner.get", await caller.partner.get({ partnerId: id }));
    for (const id of partnerIds) seenProcedure("client.list", await caller.client.list({ partnerId: id }));
    for (const id of clientIds) seenProcedure("client.get", await caller.client.get({ id }));
    for (const id of clientIds) seenProcedure("kyc.get", await caller.kyc.get({ id }));
    seenProcedure("pending.list", await caller.pending.list({ partnerId, includeExpired: true }));
    seenProcedure("audit.list", await caller.audit.list({ limit: 200 }));
  });

  it("log lines carrying each secret field, at the top, one and two levels down, in headers and in errors, show none of the values", () => {
    let n = 0;
    const value = (kind: string) => {
      const v = `leak-${kind}-${++n}-${Math.random().toString(36).slice(2, 10)}`;
      secret(`logged ${kind}`, v);
      return v;
    };
    const before = lines.length;
    for (const field of SECRET_FIELDS) {
      for (const level of ["debug", "info", "warn", "error"] as const)
        log[level](`field ${field}`, { [field]: value(field), email: "kept@example.test" });
      log.info(`nested ${field}`, { request: { [field]: value(field) }, deeper: { body: { [field]: value(field) } } });
      log.info(`in a list ${field}`, { items: [{ [field]: value(field) }] });
      log.child({ [field]: value(field) }).warn(`child ${field}`);
      withLogFields({ context: { [field]: value(field) } }, () => log.info(`context ${field}`, { job: "leak" }));
    }
    for (const header of SECRET_HEADERS) {
      const headerValue = `Bearer ${value(header)}`;
      log.info(`header ${header}`, { headers: { [header]: headerValue, accept: "application/json" } });
      log.info(`nested header ${header}`, { req: { headers: { [header]: value(header) } } });
      log.info(`response header ${header}`, { response: { status: 200, headers: { [header]: value(header) } } });
    }
    const failure = new Error(`Failed query: insert into clients\nparams: ${value("query parameter")}`, {
      cause: new Error(`params follow\nparams: ${value("cause parameter")}`),
    });
    log.error("request failed", { err: failure, requestId: "leak-test" });
    log.warn("job failed", { error: failure, job: "leak" });

    const written = lines.slice(before).join("");
    // The lines were written (the fields are hidden, not the lines), with what is not secret.
    for (const field of SECRET_FIELDS) expect(written).toContain(`field ${field}`);
    for (const header of SECRET_HEADERS) expect(written).toContain(`header ${header}`);
    expect(written).toContain("kept@example.test");
    expect(written).toContain("application/json");
    expect(written).toContain("Failed query: insert into clients");
    expect(written).toContain("[redacted]");
  });

  it("no secret, hash or TOTP seed appears in any log line, and no hash or TOTP seed in any response", async () => {
    const db = getDb();
    for (const row of await db.select({ h: clients.passwordHash }).from(clients).where(inArray(clients.id, clientIds)))
      hidden("client password hash", row.h);
    for (const row of await db
      .select({ a: pendingRegistrations.passwordHash, b: pendingRegistrations.codeHash })
      .from(pendingRegistrations)
      .where(inArray(pendingRegistrations.partnerId, partnerIds))) {
      hidden("pending password hash", row.a);
      hidden("code hash", row.b);
    }
    for (const row of await db
      .select({ a: emailConfirmations.codeHash, b: emailConfirmations.linkTokenHash })
      .from(emailConfirmations)
      .where(inArray(emailConfirmations.partnerId, partnerIds))) {
      hidden("code hash", row.a);
      hidden("link token hash", row.b);
    }
    for (const row of await db
      .select({ h: apiKeys.keyHash })
      .from(apiKeys)
      .where(inArray(apiKeys.partnerId, partnerIds)))
      hidden("API key hash", row.h);
    for (const row of await db
      .select({ h: refreshTokens.tokenHash })
      .from(refreshTokens)
      .where(inArray(refreshTokens.clientId, clientIds)))
      hidden("refresh token hash", row.h);
    for (const row of await db
      .select({ a: staffUsers.passwordHash, b: staffUsers.totpSecret })
      .from(staffUsers)
      .where(inArray(staffUsers.id, staffIds))) {
      hidden("staff password hash", row.a);
      hidden("sealed TOTP secret", row.b);
    }
    secret("AUTH_SECRET", config().authSecret);
    secret("KYC webhook secret", config().sumsubWebhookSecret);

    const kinds = new Set(secrets.values());
    for (const kind of [
      "master key",
      "client password",
      "confirmation code",
      "wrong code",
      "refresh token",
      "TOTP secret",
      "temporary password",
      "client password hash",
      "API key hash",
      "refresh token hash",
      "staff password hash",
      "sealed TOTP secret",
      "code hash",
    ]) {
      expect(kinds, "the flows saw every kind of secret").toContain(kind);
    }
    expect(lines.length).toBeGreaterThan(0);

    const leaks: string[] = [];
    for (const line of lines) {
      for (const [value, kind] of secrets) if (line.includes(value)) leaks.push(`${kind} in log line: ${line}`);
      if (ARGON2.test(line) || SEALED.test(line)) leaks.push(`a hash or sealed secret in log line: ${line}`);
    }
    for (const { what, body } of responses) {
      for (const value of neverInResponses)
        if (body.includes(value)) leaks.push(`${secrets.get(value)} in the response of ${what}`);
      if (ARGON2.test(body) || SEALED.test(body)) leaks.push(`a hash or sealed secret in the response of ${what}`);
    }
    expect(leaks).toEqual([]);
  });
});
