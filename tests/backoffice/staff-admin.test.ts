import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, staffUsers } from "../../db/schema";
import { AppError } from "../../server/errors";
import { confirmTotpEnrollment, startTotpEnrollment } from "../../server/staff/account";
import { loadStaffForSession } from "../../server/staff/sessions";
import { signInStaff } from "../../server/staff/sign-in";
import { currentTotp } from "../../server/staff/totp";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

const uniqueStaffEmail = (tag: string) => `${tag}-${randomUUID().slice(0, 10)}@staff.test`;

async function failureOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error("expected the procedure to fail");
}

/** The field errors the error formatter sends to the form (zod's are checked by the role matrix and others). */
function fieldErrors(error: TRPCError) {
  return error.cause instanceof AppError ? error.cause.fields : [];
}

async function auditFor(entityId: string) {
  return getDb()
    .select({
      action: auditEvents.action,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      before: auditEvents.before,
      after: auditEvents.after,
      requestId: auditEvents.requestId,
    })
    .from(auditEvents)
    .where(eq(auditEvents.entityId, entityId));
}

let admin: TestStaff;
beforeAll(async () => {
  admin = await createTestStaff("admin");
});

describe("admins add staff members", () => {
  it("stores the email in lower case, returns a temporary password once that signs in, and audits without it", async () => {
    const typed = uniqueStaffEmail("New.Member").replace("@staff.test", "@Staff.Test");
    const created = await callerFor(admin).staff.create({
      email: `  ${typed} `,
      name: "  Nora Member ",
      role: "operations",
    });

    expect(created).toEqual({
      id: expect.any(String),
      email: typed.toLowerCase(),
      name: "Nora Member",
      role: "operations",
      temporaryPassword: expect.any(String),
    });
    // 18 random bytes, base64url: 144 bits, well past the 12-character floor for staff passwords.
    expect(created.temporaryPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const [row] = await getDb()
      .select({
        passwordHash: staffUsers.passwordHash,
        active: staffUsers.active,
        totpRequired: staffUsers.totpRequired,
      })
      .from(staffUsers)
      .where(eq(staffUsers.id, created.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row?.passwordHash).not.toContain(created.temporaryPassword);
    expect(row).toMatchObject({ active: true, totpRequired: false });

    // The new member signs in with it, typing the email however they like.
    const signedIn = await signInStaff(anonymousCaller(), {
      email: typed.toUpperCase(),
      password: created.temporaryPassword,
    });
    expect(signedIn).toEqual({
      ok: true,
      staff: expect.objectContaining({
        id: created.id,
        email: typed.toLowerCase(),
        name: "Nora Member",
        role: "operations",
        mustEnrollTotp: false,
      }),
    });

    const audit = (await auditFor(created.id)).filter((e) => e.action === "staff.create");
    expect(audit).toEqual([
      {
        action: "staff.create",
        actorType: "staff",
        actorId: admin.id,
        before: null,
        after: { email: typed.toLowerCase(), role: "operations", name: "Nora Member" },
        requestId: expect.any(String),
      },
    ]);
    expect(JSON.stringify(await auditFor(created.id))).not.toContain(created.temporaryPassword);
  });

  it("refuses an email that is taken, whatever its case, with a field error on email", async () => {
    const email = uniqueStaffEmail("taken");
    await callerFor(admin).staff.create({ email, name: "First", role: "kam" });

    const again = await failureOf(
      callerFor(admin).staff.create({ email: email.toUpperCase(), name: "Second", role: "admin" }),
    );
    expect(again.code).toBe("CONFLICT");
    expect(fieldErrors(again)).toEqual([{ path: "email", message: "A staff member with this email already exists" }]);

    const rows = await getDb()
      .select({ name: staffUsers.name, role: staffUsers.role })
      .from(staffUsers)
      .where(sql`lower(${staffUsers.email}) = ${email}`);
    expect(rows).toEqual([{ name: "First", role: "kam" }]);
  });

  it("lets exactly one of several concurrent requests for the same email succeed", async () => {
    const email = uniqueStaffEmail("race");
    const attempts = await Promise.allSettled(
      [email, email.toUpperCase(), email, email].map((e, i) =>
        callerFor(admin).staff.create({ email: e, name: `Racer ${i}`, role: "operations" }),
      ),
    );

    const succeeded = attempts.filter((a) => a.status === "fulfilled");
    expect(succeeded).toHaveLength(1);
    for (const a of attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected")) {
      expect(a.reason).toBeInstanceOf(TRPCError);
      expect((a.reason as TRPCError).code).toBe("CONFLICT");
      expect(fieldErrors(a.reason as TRPCError).map((f) => f.path)).toEqual(["email"]);
    }
    const [count] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(staffUsers)
      .where(sql`lower(${staffUsers.email}) = ${email}`);
    expect(count?.n).toBe(1);
    const audited = await getDb()
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "staff.create"), sql`${auditEvents.after}->>'email' = ${email}`));
    expect(audited).toHaveLength(1);
  });

  it("rejects incomplete input with the offending fields named", async () => {
    const error = await failureOf(
      callerFor(admin).staff.create({ email: "not-an-email", name: " ", role: "superuser" as "admin" }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    const issues = (error.cause as { issues?: Array<{ path: PropertyKey[] }> }).issues ?? [];
    expect(issues.map((i) => i.path.join(".")).sort()).toEqual(["email", "name", "role"]);
  });

  it("ignores a password sent along: the server always generates the first one", async () => {
    const email = uniqueStaffEmail("chosen");
    const input = { email, name: "Chooser", role: "kam" as const, password: "an admin's chosen password" };
    const created = await callerFor(admin).staff.create(input);
    expect(created.temporaryPassword).not.toBe(input.password);
    expect(await signInStaff(anonymousCaller(), { email, password: input.password })).toEqual({
      ok: false,
      reason: "invalid",
    });
  });
});

describe("the staff list", () => {
  it("shows each member's state, ordered by email, and never a password hash or TOTP secret", async () => {
    const tag = randomUUID().slice(0, 8);
    const enrolled = await callerFor(admin).staff.create({
      email: `list-${tag}-a@staff.test`,
      name: "Enrolled",
      role: "kam",
    });
    const locked = await callerFor(admin).staff.create({
      email: `list-${tag}-b@staff.test`,
      name: "Locked",
      role: "operations",
    });
    const { secret } = await startTotpEnrollment(await staffCaller(enrolled));
    await confirmTotpEnrollment(await staffCaller(enrolled), { secret, code: currentTotp(secret) });
    await callerFor(admin).staff.requireTotp({ staffId: enrolled.id, required: true });
    const lockedUntil = new Date(Date.now() + 10 * 60_000);
    await getDb().update(staffUsers).set({ failedSignIns: 5, lockedUntil }).where(eq(staffUsers.id, locked.id));

    const list = await callerFor(admin).staff.list();
    const mine = list.filter((s) => s.email.startsWith(`list-${tag}-`));
    expect(mine).toEqual([
      {
        id: enrolled.id,
        email: enrolled.email,
        name: "Enrolled",
        role: "kam",
        active: true,
        totpEnrolled: true,
        totpRequired: true,
        locked: false,
        lockedUntil: null,
        failedSignIns: 0,
        lastLoginAt: null,
        createdAt: expect.any(Date),
      },
      {
        id: locked.id,
        email: locked.email,
        name: "Locked",
        role: "operations",
        active: true,
        totpEnrolled: false,
        totpRequired: false,
        locked: true,
        lockedUntil,
        failedSignIns: 5,
        lastLoginAt: null,
        createdAt: expect.any(Date),
      },
    ]);

    const [stored] = await getDb()
      .select({ passwordHash: staffUsers.passwordHash })
      .from(staffUsers)
      .where(eq(staffUsers.id, enrolled.id));
    const sent = JSON.stringify(list);
    expect(sent).not.toContain(secret);
    expect(sent).not.toContain(stored!.passwordHash);
    expect(sent).not.toMatch(/passwordHash|totpSecret|\$argon2/);
  });
});

describe("reactivating a staff member", () => {
  it("lets them sign in again while their old sessions stay ended, audited; an active member cannot be reactivated", async () => {
    const member = await createTestStaff("kam");
    await callerFor(admin).staff.deactivate({ staffId: member.id });
    expect(await signInStaff(anonymousCaller(), { email: member.email, password: member.password })).toEqual({
      ok: false,
      reason: "invalid",
    });

    await expect(callerFor(admin).staff.reactivate({ staffId: member.id })).resolves.toEqual({
      id: member.id,
      active: true,
    });
    const signedIn = await signInStaff(anonymousCaller(), { email: member.email, password: member.password });
    expect(signedIn.ok).toBe(true);
    // The session opened before deactivation was revoked and stays so; the new one works.
    expect(await loadStaffForSession({ staffId: member.id, sessionId: member.sessionId })).toBeUndefined();
    expect(
      await loadStaffForSession({ staffId: member.id, sessionId: signedIn.ok ? signedIn.staff.sessionId : "" }),
    ).toMatchObject({ id: member.id });

    const audit = (await auditFor(member.id)).filter((e) => e.action === "staff.reactivated");
    expect(audit).toEqual([
      {
        action: "staff.reactivated",
        actorType: "staff",
        actorId: admin.id,
        before: { active: false },
        after: { active: true },
        requestId: expect.any(String),
      },
    ]);

    const again = await failureOf(callerFor(admin).staff.reactivate({ staffId: member.id }));
    expect(again.code).toBe("CONFLICT");
  });
});
