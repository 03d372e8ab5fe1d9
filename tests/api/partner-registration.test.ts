import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { accounts, clients, pendingRegistrations } from "../../db/schema";
import { hashPassword, verifyPassword } from "../../server/passwords/hasher";
import { codeIn, createTestPartner, latestEmailTo, STRONG_PARTNER_PASSWORD, uniqueEmail, useApi } from "../support/api";

const api = useApi();

async function stepOne(partnerId: number, email: string, extra: Record<string, unknown> = {}) {
  return api.post(
    "/reg/user",
    { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD, ...extra },
    { partnerId: String(partnerId) },
  );
}

async function stepTwo(partnerId: number, email: string, code: string, extra: Record<string, unknown> = {}) {
  return api.post(
    "/reg/user",
    { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: code, ...extra },
    { partnerId: String(partnerId) },
  );
}

describe("POST /reg/user (partner API, two steps)", () => {
  it("step 1 answers 202 {} and emails a 6-digit code; step 2 with it creates the client and answers 201 with tokens", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail();
    const first = await stepOne(partner.id, email);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({});
    expect(first.headers.get("x-request-id")).toBeTruthy();
    const mail = await latestEmailTo(email);
    expect(mail?.template).toBe("registration_code");
    const code = codeIn(mail?.text);

    const second = await stepTwo(partner.id, email, code);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({
      token_type: "Bearer",
      expires_in: 86400,
      scope: expect.stringContaining("accounts:read"),
    });
    expect(second.body.user_id).toMatch(/^usr:[0-9a-f-]{36}$/);
    expect(typeof second.body.access_token).toBe("string");
    expect(typeof second.body.refresh_token).toBe("string");

    const clientId = second.body.user_id.slice(4);
    const [row] = await getDb()
      .select({ status: clients.verificationStatus, via: clients.createdVia, confirmed: clients.emailConfirmedAt })
      .from(clients)
      .where(eq(clients.id, clientId));
    expect(row).toMatchObject({ status: "email_verified", via: "partner_api" });
    expect(row?.confirmed).toBeInstanceOf(Date);
    const accs = await api.get("/wallet/accounts", { authorization: `Bearer ${second.body.access_token}` });
    expect(accs.status).toBe(200);
    expect(accs.body).toEqual([
      { id: expect.any(String), type: "CHECKING", currency: partner.defaultCurrency, balance: "0.00" },
    ]);
  });

  it("accepts partnerId in the body when the header is absent, and refuses a request naming no partner", async () => {
    const partner = await createTestPartner();
    const ok = await api.post("/reg/user", {
      email: uniqueEmail(),
      password: STRONG_PARTNER_PASSWORD,
      partnerId: partner.id,
    });
    expect(ok.status).toBe(202);
    const none = await api.post("/reg/user", { email: uniqueEmail(), password: STRONG_PARTNER_PASSWORD });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: "partner_required", fields: [{ path: "partnerId" }] });
    const bad = await api.post(
      "/reg/user",
      { email: uniqueEmail(), password: STRONG_PARTNER_PASSWORD },
      { partnerId: "abc" },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe("partnerId");
    const unknown = await api.post(
      "/reg/user",
      { email: uniqueEmail(), password: STRONG_PARTNER_PASSWORD },
      { partnerId: "2147483647" },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("partner_not_found");
  });

  it("sandbox partners always use the code 12345", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const email = uniqueEmail();
    expect((await stepOne(partner.id, email)).status).toBe(202);
    expect((await latestEmailTo(email))?.text).toContain("12345");
    const done = await stepTwo(partner.id, email, "12345");
    expect(done.status).toBe(201);
  });

  it("validates the password policy and names the field", async () => {
    const partner = await createTestPartner();
    const res = await stepOne(partner.id, uniqueEmail(), { password: "abcdefgh" });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain("password");
    expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("refuses a user type the partner does not allow", async () => {
    const partner = await createTestPartner();
    const res = await stepOne(partner.id, uniqueEmail(), { userType: "MERCHANT" });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "user_type_not_allowed", fields: [{ path: "userType" }] });
  });

  it("gives wrong, expired and locked codes distinct errors, and locks after 5 wrong codes", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail();
    await stepOne(partner.id, email);
    const code = codeIn((await latestEmailTo(email))?.text);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 1; i <= 4; i++) {
      const res = await stepTwo(partner.id, email, wrong);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: "confirmation_code_invalid",
        fields: [{ path: "emailConfirmCode" }],
        details: { attemptsRemaining: 5 - i },
      });
    }
    const fifth = await stepTwo(partner.id, email, wrong);
    expect(fifth.status).toBe(423);
    expect(fifth.body.error.code).toBe("confirmation_locked");
    // Even the right code no longer works once locked.
    const right = await stepTwo(partner.id, email, code);
    expect(right.status).toBe(423);

    const other = uniqueEmail();
    await stepOne(partner.id, other);
    await getDb()
      .update(pendingRegistrations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(
        and(
          eq(pendingRegistrations.partnerId, partner.id),
          sql`lower(${pendingRegistrations.email}) = lower(${other})`,
        ),
      );
    const expired = await stepTwo(partner.id, other, codeIn((await latestEmailTo(other))?.text));
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe("confirmation_code_expired");
  });

  it("a code is single use", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail();
    await stepOne(partner.id, email);
    const code = codeIn((await latestEmailTo(email))?.text);
    expect((await stepTwo(partner.id, email, code)).status).toBe(201);
    const again = await stepTwo(partner.id, email, code);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("confirmation_code_invalid");
  });

  it("repeating step 1 within 60 seconds is refused with Retry-After; after the cooldown it re-sends a new code", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail();
    await stepOne(partner.id, email);
    const firstCode = codeIn((await latestEmailTo(email))?.text);
    const tooSoon = await stepOne(partner.id, email);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error.code).toBe("resend_cooldown");
    expect(Number(tooSoon.headers.get("retry-after"))).toBeGreaterThan(0);

    await getDb()
      .update(pendingRegistrations)
      .set({ lastSentAt: new Date(Date.now() - 61_000) })
      .where(
        and(
          eq(pendingRegistrations.partnerId, partner.id),
          sql`lower(${pendingRegistrations.email}) = lower(${email})`,
        ),
      );
    const resent = await stepOne(partner.id, email);
    expect(resent.status).toBe(202);
    const [pending] = await getDb()
      .select({ resendCount: pendingRegistrations.resendCount })
      .from(pendingRegistrations)
      .where(
        and(
          eq(pendingRegistrations.partnerId, partner.id),
          eq(pendingRegistrations.state, "pending"),
          sql`lower(${pendingRegistrations.email}) = lower(${email})`,
        ),
      );
    expect(pending?.resendCount).toBe(1);
    const newCode = codeIn((await latestEmailTo(email))?.text);
    if (newCode !== firstCode) expect((await stepTwo(partner.id, email, firstCode)).status).toBe(400);
    expect((await stepTwo(partner.id, email, newCode)).status).toBe(201);
  });

  it("stops re-sending after the daily cap", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail();
    const backdate = () =>
      getDb()
        .update(pendingRegistrations)
        .set({ lastSentAt: new Date(Date.now() - 61_000) })
        .where(
          and(
            eq(pendingRegistrations.partnerId, partner.id),
            sql`lower(${pendingRegistrations.email}) = lower(${email})`,
          ),
        );
    for (let i = 0; i < 5; i++) {
      expect((await stepOne(partner.id, email)).status).toBe(202);
      await backdate();
    }
    const capped = await stepOne(partner.id, email);
    expect(capped.status).toBe(429);
    expect(capped.body.error.code).toBe("resend_limit_reached");
  });

  it("answers step 1 the same for an existing client and emails the owner instead of a code", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const email = uniqueEmail();
    await stepOne(partner.id, email);
    expect((await stepTwo(partner.id, email, "12345")).status).toBe(201);
    const repeat = await stepOne(partner.id, email.toUpperCase());
    expect(repeat.status).toBe(202);
    expect(repeat.body).toEqual({});
    expect((await latestEmailTo(email))?.template).toBe("account_exists");
    // Step 2 for the existing address fails like any wrong code, even with the sandbox code.
    const probe = await stepTwo(partner.id, email.toUpperCase(), "12345");
    expect(probe.status).toBe(400);
    expect(probe.body.error.code).toBe("confirmation_code_invalid");
  });

  it("20 concurrent confirmations of one registration create exactly one client and one account", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const email = uniqueEmail();
    await stepOne(partner.id, email);
    const results = await Promise.all(Array.from({ length: 20 }, () => stepTwo(partner.id, email, "12345")));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.map((r) => r.status).filter((s) => s !== 201 && s !== 400)).toEqual([]);
    const rows = await getDb()
      .select({ id: clients.id })
      .from(clients)
      .where(and(eq(clients.partnerId, partner.id), sql`lower(${clients.email}) = lower(${email})`));
    expect(rows).toHaveLength(1);
    const accs = await getDb().select({ id: accounts.id }).from(accounts).where(eq(accounts.clientId, rows[0]!.id));
    expect(accs).toHaveLength(1);
  });

  it("hashes the password once per registration: step 1 keeps a keyed fingerprint, step 2 stores the argon2id hash of its own password", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail();
    await stepOne(partner.id, email);
    const pendingOf = async () => {
      const [row] = await getDb()
        .select({ stored: pendingRegistrations.passwordHash })
        .from(pendingRegistrations)
        .where(
          and(
            eq(pendingRegistrations.partnerId, partner.id),
            sql`lower(${pendingRegistrations.email}) = lower(${email})`,
          ),
        );
      return row!.stored;
    };
    const stored = await pendingOf();
    expect(stored).toMatch(/^fp1\$[0-9a-f]{64}$/);
    expect(stored).not.toContain(STRONG_PARTNER_PASSWORD);
    const code = codeIn((await latestEmailTo(email))?.text);

    const mismatch = await stepTwo(partner.id, email, code, { password: "Other#Pass9" });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toMatchObject({ code: "password_mismatch", fields: [{ path: "password" }] });
    const none = await getDb()
      .select({ id: clients.id })
      .from(clients)
      .where(and(eq(clients.partnerId, partner.id), sql`lower(${clients.email}) = lower(${email})`));
    expect(none).toEqual([]);

    const done = await stepTwo(partner.id, email, code);
    expect(done.status).toBe(201);
    const [client] = await getDb()
      .select({ hash: clients.passwordHash })
      .from(clients)
      .where(eq(clients.id, done.body.user_id.slice(4)));
    expect(client!.hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(client!.hash, STRONG_PARTNER_PASSWORD)).toBe(true);
  });

  it("completes a registration opened before fingerprints, whose row holds an argon2id hash", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const email = uniqueEmail();
    await stepOne(partner.id, email);
    await getDb()
      .update(pendingRegistrations)
      .set({ passwordHash: await hashPassword(STRONG_PARTNER_PASSWORD) })
      .where(
        and(
          eq(pendingRegistrations.partnerId, partner.id),
          sql`lower(${pendingRegistrations.email}) = lower(${email})`,
        ),
      );
    const wrong = await stepTwo(partner.id, email, "12345", { password: "Other#Pass9" });
    expect(wrong.body.error.code).toBe("password_mismatch");
    expect((await stepTwo(partner.id, email, "12345")).status).toBe(201);
  });

  it("refuses a suspended partner", async () => {
    const partner = await createTestPartner();
    await getDb().execute(sql`update partners set status = 'suspended' where id = ${partner.id}`);
    const res = await stepOne(partner.id, uniqueEmail());
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("partner_suspended");
  });
});
