import { TRPCError } from "@trpc/server";
import { and, desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { getDb } from "../../db/client";
import { accounts, auditEvents, clients, emailConfirmations, partners, pendingRegistrations } from "../../db/schema";
import { AppError } from "../../server/errors";
import {
  codeIn,
  createTestPartner,
  latestEmailTo,
  STRONG_PARTNER_PASSWORD,
  STRONG_WL_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type TestPartner,
} from "../support/api";
import { callerFor, createTestStaff } from "../support/staff";

const api = useApi();

function registrationInput(partnerId: number, overrides: Record<string, unknown> = {}) {
  return {
    partnerId,
    firstName: "Inga",
    lastName: "Ozola",
    email: uniqueEmail("bo"),
    countryCode: "LV",
    password: STRONG_WL_PASSWORD,
    referralCode: null,
    agreed: true as const,
    birthDate: "1990-02-03",
    postalCode: "LV-1050",
    state: "Riga",
    address1: "Brivibas iela 1",
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error("expected the procedure to fail");
}

function fieldPaths(error: TRPCError): string[] {
  if (error.cause instanceof ZodError) return error.cause.issues.map((i) => i.path.join("."));
  if (error.cause instanceof AppError) return error.cause.fields.map((f) => f.path);
  return [];
}

async function stepOne(partnerId: number, email: string) {
  const res = await api.post(
    "/reg/user",
    { email, password: STRONG_PARTNER_PASSWORD },
    { partnerId: String(partnerId) },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(202);
}

async function pendingRegistrationOf(partnerId: number, email: string) {
  const [row] = await getDb()
    .select()
    .from(pendingRegistrations)
    .where(
      and(eq(pendingRegistrations.partnerId, partnerId), sql`lower(${pendingRegistrations.email}) = lower(${email})`),
    )
    .orderBy(desc(pendingRegistrations.createdAt))
    .limit(1);
  return row!;
}

async function auditFor(entityId: string, action: string) {
  return getDb()
    .select({
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      before: auditEvents.before,
      after: auditEvents.after,
      ip: auditEvents.ip,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityId, entityId), eq(auditEvents.action, action)));
}

async function listFor(
  staff: Awaited<ReturnType<typeof createTestStaff>>,
  partner: TestPartner,
  extra: { includeExpired?: boolean; kind?: "registration" | "email" } = {},
) {
  return callerFor(staff).pending.list({ partnerId: partner.id, ...extra });
}

describe("back office: register client", () => {
  it("operations staff register a client with master-key powers; the client records who created it, and the act is audited", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner({
      defaultCurrency: "GBP",
      captchaRequired: true,
      quotaPerIpHour: 1,
      quotaTotalHour: 1,
    });
    const input = registrationInput(partner.id, { verificationStatus: "identified", verificationLevel: 3 });
    const { clientId } = await callerFor(staff).registration.create(input);

    const [row] = await getDb().select().from(clients).where(eq(clients.id, clientId));
    expect(row).toMatchObject({
      partnerId: partner.id,
      email: input.email,
      createdVia: "back_office",
      createdByStaffId: staff.id,
      verificationStatus: "identified",
      verificationLevel: 3,
      postalCode: "LV-1050",
      state: "Riga",
      address1: "Brivibas iela 1",
      address2: null,
    });
    expect(row?.emailConfirmedAt).toBeInstanceOf(Date);
    const accs = await getDb()
      .select({ type: accounts.type, currency: accounts.currency })
      .from(accounts)
      .where(eq(accounts.clientId, clientId));
    expect(accs).toEqual([{ type: "CHECKING", currency: "GBP" }]);
    const audit = await auditFor(clientId, "client.register");
    expect(audit).toEqual([expect.objectContaining({ actorType: "staff", actorId: staff.id, ip: "127.0.0.1" })]);
    expect(audit[0]?.after).toMatchObject({
      via: "back_office",
      verificationStatus: "identified",
      verificationLevel: 3,
    });

    // Captcha and quotas bind the public API, not staff: a second registration for the same partner goes through.
    await callerFor(staff).registration.create(registrationInput(partner.id));
  });

  it("the same email again is a conflict on the email field; bad input names its fields", async () => {
    const staff = await createTestStaff("admin");
    const partner = await createTestPartner();
    const input = registrationInput(partner.id);
    await callerFor(staff).registration.create(input);

    const again = await failureOf(callerFor(staff).registration.create({ ...input, email: input.email.toUpperCase() }));
    expect(again.code).toBe("CONFLICT");
    expect(fieldPaths(again)).toEqual(["email"]);

    const invalid = await failureOf(
      callerFor(staff).registration.create(registrationInput(partner.id, { countryCode: "ZZ", verificationLevel: 9 })),
    );
    expect(invalid.code).toBe("BAD_REQUEST");
    expect(fieldPaths(invalid)).toEqual(expect.arrayContaining(["countryCode", "verificationLevel"]));

    const suspended = await createTestPartner();
    await getDb().update(partners).set({ status: "suspended" }).where(eq(partners.id, suspended.id));
    const refused = await failureOf(callerFor(staff).registration.create(registrationInput(suspended.id)));
    expect(refused.code).toBe("FORBIDDEN");
    expect(fieldPaths(refused)).toEqual(["partnerId"]);
  });

  it("a KAM may list pending confirmations of their own partners but not register clients or resend", async () => {
    const kam = await createTestStaff("kam");
    const own = await createTestPartner({ sandbox: true });
    const other = await createTestPartner({ sandbox: true });
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, own.id));
    const ownEmail = uniqueEmail("kam-own");
    const otherEmail = uniqueEmail("kam-other");
    await stepOne(own.id, ownEmail);
    await stepOne(other.id, otherEmail);

    const denied = await failureOf(callerFor(kam).registration.create(registrationInput(own.id)));
    expect(denied.code).toBe("FORBIDDEN");
    const pending = await pendingRegistrationOf(own.id, ownEmail);
    expect((await failureOf(callerFor(kam).pending.resend({ kind: "registration", id: pending.id }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await failureOf(callerFor(kam).pending.cancel({ kind: "registration", id: pending.id }))).code).toBe(
      "FORBIDDEN",
    );

    const mine = await callerFor(kam).pending.list({});
    expect(mine.items.map((i) => i.email)).toContain(ownEmail);
    expect(mine.items.every((i) => i.partner.id === own.id)).toBe(true);
    expect((await listFor(kam, other)).items).toEqual([]);
  });
});

describe("back office: pending confirmations", () => {
  it("lists partner-API registrations and unconfirmed white-label clients, with the code only for sandbox partners", async () => {
    const staff = await createTestStaff("operations");
    const sandbox = await createTestPartner({ sandbox: true });
    const live = await createTestPartner();
    for (const partner of [sandbox, live]) {
      const regEmail = uniqueEmail("step1");
      await stepOne(partner.id, regEmail);
      const wl = registrationInput(partner.id);
      const { clientId } = await callerFor(staff).registration.create(wl);

      const { items, nextCursor } = await listFor(staff, partner);
      expect(nextCursor).toBeNull();
      const code = partner.sandbox ? "12345" : null;
      expect(items).toEqual([
        expect.objectContaining({
          kind: "email",
          email: wl.email,
          clientId,
          partner: { id: partner.id, name: partner.name, sandbox: partner.sandbox },
          expired: false,
          attempts: 0,
          resendCount: 0,
          sandboxCode: code,
        }),
        expect.objectContaining({
          kind: "registration",
          email: regEmail,
          clientId: null,
          expired: false,
          attempts: 0,
          resendCount: 0,
          sandboxCode: code,
          alreadyClient: false,
        }),
      ]);
      expect(items[0]!.expiresAt.getTime()).toBeGreaterThan(Date.now());
      // Never a hash or a password in what the browser receives.
      expect(JSON.stringify(items)).not.toMatch(/hash|\$argon2/i);
      expect((await listFor(staff, partner, { kind: "registration" })).items.map((i) => i.kind)).toEqual([
        "registration",
      ]);
    }
  });

  it("pages by (created, id) across both queues without gaps or repeats", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const emails: string[] = [];
    for (let i = 0; i < 3; i++) {
      const e = uniqueEmail("page");
      await stepOne(partner.id, e);
      emails.push(e);
      const wl = registrationInput(partner.id);
      await callerFor(staff).registration.create(wl);
      emails.push(wl.email);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await callerFor(staff).pending.list({
        partnerId: partner.id,
        limit: 4,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items.map((i) => i.email));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...emails].reverse());
  });

  it("resend respects the cooldown, then sends a new code, counts it and audits it", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const email = uniqueEmail("resend");
    await stepOne(partner.id, email);
    const pending = await pendingRegistrationOf(partner.id, email);
    const firstMail = await latestEmailTo(email);

    const tooSoon = await failureOf(callerFor(staff).pending.resend({ kind: "registration", id: pending.id }));
    expect(tooSoon.code).toBe("TOO_MANY_REQUESTS");
    expect(tooSoon.message).toMatch(/seconds/);

    await getDb()
      .update(pendingRegistrations)
      .set({ lastSentAt: new Date(Date.now() - 61_000) })
      .where(eq(pendingRegistrations.id, pending.id));
    const result = await callerFor(staff).pending.resend({ kind: "registration", id: pending.id });
    expect(result).toMatchObject({ kind: "registration", id: pending.id, resendCount: 1 });
    const mail = await latestEmailTo(email);
    expect(mail?.id).not.toBe(firstMail?.id);
    expect(mail?.template).toBe("registration_code");
    const after = await pendingRegistrationOf(partner.id, email);
    expect(after).toMatchObject({ resendCount: 1, state: "pending", attempts: 0 });
    expect(after.codeHash).not.toBe(pending.codeHash);
    const audit = await auditFor(pending.id, "pending.resent");
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: "staff",
        actorId: staff.id,
        ip: "127.0.0.1",
        before: expect.objectContaining({ resendCount: 0 }),
        after: expect.objectContaining({ resendCount: 1 }),
      }),
    ]);

    // The new code completes the registration.
    const done = await api.post(
      "/reg/user",
      { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: codeIn(mail?.text) },
      { partnerId: String(partner.id) },
    );
    expect(done.status).toBe(201);
  });

  it("resending to an address that is already a client keeps the code unknowable", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner({ sandbox: true });
    const input = registrationInput(partner.id);
    await callerFor(staff).registration.create(input);
    await stepOne(partner.id, input.email);
    const pending = await pendingRegistrationOf(partner.id, input.email);
    const row = (await listFor(staff, partner, { kind: "registration" })).items[0];
    expect(row).toMatchObject({ alreadyClient: true, sandboxCode: null });

    await getDb()
      .update(pendingRegistrations)
      .set({ lastSentAt: new Date(Date.now() - 61_000) })
      .where(eq(pendingRegistrations.id, pending.id));
    await callerFor(staff).pending.resend({ kind: "registration", id: pending.id });
    expect((await latestEmailTo(input.email))?.template).toBe("account_exists");
    const res = await api.post(
      "/reg/user",
      { email: input.email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: "12345" },
      { partnerId: String(partner.id) },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("confirmation_code_invalid");
  });

  it("resends a white-label confirmation email with a new code and link", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const input = registrationInput(partner.id);
    const { clientId } = await callerFor(staff).registration.create(input);
    const [open] = await getDb().select().from(emailConfirmations).where(eq(emailConfirmations.clientId, clientId));
    expect((await failureOf(callerFor(staff).pending.resend({ kind: "email", id: open!.id }))).code).toBe(
      "TOO_MANY_REQUESTS",
    );

    await getDb()
      .update(emailConfirmations)
      .set({ lastSentAt: new Date(Date.now() - 61_000) })
      .where(eq(emailConfirmations.id, open!.id));
    const result = await callerFor(staff).pending.resend({ kind: "email", id: open!.id });
    expect(result).toMatchObject({ kind: "email", id: open!.id, resendCount: 1 });
    const mail = await latestEmailTo(input.email);
    expect(mail?.template).toBe("email_confirmation");
    const confirmed = await api.post("/api/public/confirm-email", { clientId, code: codeIn(mail?.text) });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(await auditFor(open!.id, "pending.resent")).toHaveLength(1);
    // Confirmed clients leave the queue.
    expect((await listFor(staff, partner, { includeExpired: true })).items).toEqual([]);
  });

  it("the client's own resend and the back office's count the same emails: one cooldown, one daily cap", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const body = whiteLabelBody();
    const registered = await api.post("/api/public/register", body, { partnerId: String(partner.id) });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const clientResend = () =>
      api.post("/api/public/confirm-email/resend", undefined, { authorization: `Bearer ${registered.body.token}` });
    const backdate = () =>
      getDb()
        .update(emailConfirmations)
        .set({ lastSentAt: new Date(Date.now() - 61_000) })
        .where(eq(emailConfirmations.clientId, registered.body.clientId));
    const [open] = await getDb()
      .select({ id: emailConfirmations.id })
      .from(emailConfirmations)
      .where(eq(emailConfirmations.clientId, registered.body.clientId));

    await backdate();
    await callerFor(staff).pending.resend({ kind: "email", id: open!.id });
    // The staff member's email starts the client's cooldown.
    const tooSoon = await clientResend();
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error.code).toBe("resend_cooldown");

    // Wrong codes lock the confirmation; the client's next resend opens a fresh one, which does not reset the count.
    for (let i = 0; i < 5; i++)
      await api.post("/api/public/confirm-email", { clientId: registered.body.clientId, code: "000000" });
    expect(
      (
        await getDb()
          .select({ state: emailConfirmations.state })
          .from(emailConfirmations)
          .where(eq(emailConfirmations.id, open!.id))
      )[0]?.state,
    ).toBe("locked");
    // Registration and the staff resend are two of the day's five emails; the client's own make up the rest.
    for (let sent = 2; sent < 5; sent++) {
      await backdate();
      expect((await clientResend()).status).toBe(202);
    }
    await backdate();
    const capped = await clientResend();
    expect(capped.status).toBe(429);
    expect(capped.body.error.code).toBe("resend_limit_reached");
    const [fresh] = await getDb()
      .select({ id: emailConfirmations.id })
      .from(emailConfirmations)
      .where(and(eq(emailConfirmations.clientId, registered.body.clientId), eq(emailConfirmations.state, "pending")));
    expect((await failureOf(callerFor(staff).pending.resend({ kind: "email", id: fresh!.id }))).code).toBe(
      "TOO_MANY_REQUESTS",
    );
  });

  it("cancel withdraws the code: audited, and step 2 with the old code then fails", async () => {
    const staff = await createTestStaff("admin");
    const partner = await createTestPartner({ sandbox: true });
    const email = uniqueEmail("cancel");
    await stepOne(partner.id, email);
    const pending = await pendingRegistrationOf(partner.id, email);

    const result = await callerFor(staff).pending.cancel({ kind: "registration", id: pending.id });
    expect(result).toEqual({ kind: "registration", id: pending.id, state: "cancelled" });
    expect((await pendingRegistrationOf(partner.id, email)).state).toBe("cancelled");
    const audit = await auditFor(pending.id, "pending.cancelled");
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: "staff",
        actorId: staff.id,
        before: expect.objectContaining({ state: "pending" }),
        after: { state: "cancelled" },
      }),
    ]);
    expect((await listFor(staff, partner, { includeExpired: true })).items).toEqual([]);

    const stepTwo = await api.post(
      "/reg/user",
      { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: "12345" },
      { partnerId: String(partner.id) },
    );
    expect(stepTwo.status).toBe(400);
    expect(stepTwo.body.error.code).toBe("confirmation_code_invalid");

    const twice = await failureOf(callerFor(staff).pending.cancel({ kind: "registration", id: pending.id }));
    expect(twice.code).toBe("CONFLICT");
    expect((await failureOf(callerFor(staff).pending.resend({ kind: "registration", id: pending.id }))).code).toBe(
      "CONFLICT",
    );
  });

  it("flags expired rows; an expired registration cannot be resent, an expired email confirmation is reopened", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const email = uniqueEmail("expired");
    await stepOne(partner.id, email);
    const pending = await pendingRegistrationOf(partner.id, email);
    const input = registrationInput(partner.id);
    const { clientId } = await callerFor(staff).registration.create(input);
    const past = new Date(Date.now() - 1000);
    const longAgo = new Date(Date.now() - 20 * 60_000);
    await getDb()
      .update(pendingRegistrations)
      .set({ expiresAt: past, lastSentAt: longAgo })
      .where(eq(pendingRegistrations.id, pending.id));
    await getDb()
      .update(emailConfirmations)
      .set({ expiresAt: past, lastSentAt: longAgo })
      .where(eq(emailConfirmations.clientId, clientId));

    expect((await listFor(staff, partner)).items).toEqual([]);
    const withExpired = await listFor(staff, partner, { includeExpired: true });
    expect(withExpired.items.map((i) => [i.kind, i.expired])).toEqual([
      ["email", true],
      ["registration", true],
    ]);

    const refused = await failureOf(callerFor(staff).pending.resend({ kind: "registration", id: pending.id }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toMatch(/step 1/);

    const expiredConfirmation = withExpired.items[0]!;
    const reopened = await callerFor(staff).pending.resend({ kind: "email", id: expiredConfirmation.id });
    expect(reopened.id).not.toBe(expiredConfirmation.id);
    const states = await getDb()
      .select({ id: emailConfirmations.id, state: emailConfirmations.state })
      .from(emailConfirmations)
      .where(eq(emailConfirmations.clientId, clientId));
    expect(states).toEqual(
      expect.arrayContaining([
        { id: expiredConfirmation.id, state: "expired" },
        { id: reopened.id, state: "pending" },
      ]),
    );
    const now = await listFor(staff, partner, { includeExpired: true, kind: "email" });
    expect(now.items).toEqual([expect.objectContaining({ id: reopened.id, expired: false })]);
    expect((await latestEmailTo(input.email))?.template).toBe("email_confirmation");
  });
});
