import { TRPCError } from "@trpc/server";
import { and, desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, staffUsers } from "../../db/schema";
import { appRouter } from "../../server/api/root";
import { AppError } from "../../server/errors";
import { confirmTotpEnrollment, startTotpEnrollment } from "../../server/staff/account";
import { changeStaffRole, deactivateStaff, setTotpRequired, unlockStaff } from "../../server/staff/admin";
import { loadStaffForSession } from "../../server/staff/sessions";
import { signInStaff } from "../../server/staff/sign-in";
import { currentTotp } from "../../server/staff/totp";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

async function staffRow(id: string) {
  const [row] = await getDb()
    .select({
      role: staffUsers.role,
      active: staffUsers.active,
      failedSignIns: staffUsers.failedSignIns,
      lockedUntil: staffUsers.lockedUntil,
      totpRequired: staffUsers.totpRequired,
    })
    .from(staffUsers)
    .where(eq(staffUsers.id, id));
  return row!;
}

/** Lets the lock run out without waiting for it, keeping the failure count. */
async function expireLock(id: string) {
  await getDb().update(staffUsers).set({ lockedUntil: null }).where(eq(staffUsers.id, id));
}

async function latestAudit(entityId: string, action: string) {
  const [row] = await getDb()
    .select({
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      before: auditEvents.before,
      after: auditEvents.after,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityId, entityId), eq(auditEvents.action, action)))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return row;
}

/** A six-digit code that is not valid now (nor one step either side). */
function wrongCode(secret: string): string {
  const right = Number(currentTotp(secret));
  return String((right + 500_000) % 1_000_000).padStart(6, "0");
}

async function enrolTotp(staff: TestStaff): Promise<string> {
  const { secret } = await startTotpEnrollment(await staffCaller(staff));
  await confirmTotpEnrollment(await staffCaller(staff), { secret, code: currentTotp(secret) });
  return secret;
}

async function trpcCode(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "OK";
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

let admin: TestStaff;

beforeAll(async () => {
  admin = await createTestStaff("admin");
});

describe("staff sign-in lockout", () => {
  it("locks after five wrong passwords for a minute, doubles the wait on the next failure and resets on success", async () => {
    const staff = await createTestStaff("operations");
    for (let i = 1; i <= 5; i++) {
      expect(
        await signInStaff(anonymousCaller(), { email: staff.email, password: "not the password" }),
        `attempt ${i}`,
      ).toEqual({ ok: false, reason: "invalid" });
    }
    // Locked: even the right password is refused, with the answer a wrong one gets.
    const locked = await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password });
    expect(locked).toMatchObject({ ok: false, reason: "invalid" });
    expect(!locked.ok && locked.lockedForSeconds).toBeGreaterThanOrEqual(55);
    expect(!locked.ok && locked.lockedForSeconds).toBeLessThanOrEqual(60);
    expect(await staffRow(staff.id)).toMatchObject({ failedSignIns: 5 });

    // The lock runs out; the sixth failure in a row locks for twice as long.
    await expireLock(staff.id);
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: "still not it" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    const lockedLonger = await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password });
    expect(lockedLonger).toMatchObject({ ok: false, reason: "invalid" });
    expect(!lockedLonger.ok && lockedLonger.lockedForSeconds).toBeGreaterThanOrEqual(115);
    expect(!lockedLonger.ok && lockedLonger.lockedForSeconds).toBeLessThanOrEqual(120);
    expect(await staffRow(staff.id)).toMatchObject({ failedSignIns: 6 });

    await expireLock(staff.id);
    const ok = await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password });
    expect(ok).toMatchObject({ ok: true, staff: { id: staff.id, role: "operations" } });
    expect(await staffRow(staff.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });

    // A fresh count after the success: one failure does not lock.
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: "wrong again" })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect((await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password })).ok).toBe(true);
  });

  it("an admin unlocks a locked account at once, and the unlock is audited", async () => {
    const staff = await createTestStaff("kam");
    for (let i = 0; i < 5; i++) await signInStaff(anonymousCaller(), { email: staff.email, password: "guess" });
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password })).toMatchObject({
      ok: false,
      reason: "invalid",
      lockedForSeconds: expect.any(Number),
    });

    await unlockStaff(await staffCaller(admin, { ip: "203.0.113.9" }), { staffId: staff.id });

    expect(await staffRow(staff.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password })).toMatchObject({
      ok: true,
    });
    const audit = await latestAudit(staff.id, "staff.unlocked");
    expect(audit).toMatchObject({
      actorType: "staff",
      actorId: admin.id,
      before: { failedSignIns: 5 },
      after: { failedSignIns: 0, lockedUntil: null },
    });
  });

  it("the unlock procedure is for admins and works through the router", async () => {
    const staff = await createTestStaff("kam");
    for (let i = 0; i < 5; i++) await signInStaff(anonymousCaller(), { email: staff.email, password: "guess" });
    expect(await trpcCode(() => callerFor(staff).staff.unlock({ staffId: staff.id }))).toBe("FORBIDDEN");
    await callerFor(admin).staff.unlock({ staffId: staff.id });
    expect(await staffRow(staff.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
  });
});

describe("staff TOTP", () => {
  it("once enrolled, sign-in needs the current code", async () => {
    const staff = await createTestStaff("operations");
    const secret = await enrolTotp(staff);
    expect(await callerFor(staff).account.security()).toMatchObject({ totpEnrolled: true });

    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password })).toEqual({
      ok: false,
      reason: "totp_required",
    });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: wrongCode(secret) }),
    ).toEqual({ ok: false, reason: "totp_invalid" });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: currentTotp(secret) }),
    ).toMatchObject({ ok: true, staff: { id: staff.id } });
    // A wrong password is refused before the code is even looked at.
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: "wrong", totp: currentTotp(secret) }),
    ).toEqual({ ok: false, reason: "invalid" });
  });

  it("wrong codes count towards the lockout, so a known password cannot be used to guess codes", async () => {
    const staff = await createTestStaff("kam");
    const secret = await enrolTotp(staff);
    for (let i = 0; i < 5; i++) {
      expect(
        await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: wrongCode(secret) }),
      ).toEqual({ ok: false, reason: "totp_invalid" });
    }
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: currentTotp(secret) }),
    ).toMatchObject({ ok: false, reason: "invalid", lockedForSeconds: expect.any(Number) });
  });

  it("staff required to use TOTP reach only their account until they enrol", async () => {
    const staff = await createTestStaff("admin");
    await setTotpRequired(await staffCaller(admin), { staffId: staff.id, required: true });
    expect(await latestAudit(staff.id, "staff.totp_requirement_changed")).toMatchObject({
      before: { totpRequired: false },
      after: { totpRequired: true },
    });

    const signedIn = await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password });
    expect(signedIn).toMatchObject({ ok: true, staff: { mustEnrollTotp: true } });
    const sessionId = signedIn.ok ? signedIn.staff.sessionId : "";
    const session = await loadStaffForSession({ staffId: staff.id, sessionId });
    expect(session).toMatchObject({ mustEnrollTotp: true });

    const caller = callerFor(session);
    const paths = Object.keys(appRouter._def.procedures);
    expect(paths.some((p) => !p.startsWith("account."))).toBe(true);
    for (const path of paths) {
      const fn = path.split(".").reduce<any>((node, key) => node[key], caller) as (input: unknown) => Promise<unknown>;
      const code = await trpcCode(() => fn({}));
      if (path.startsWith("account.")) expect(code, path).not.toBe("FORBIDDEN");
      else expect(code, path).toBe("FORBIDDEN");
    }
    expect(await caller.account.me()).toMatchObject({ id: staff.id, mustEnrollTotp: true });

    await enrolTotp(staff);
    const enrolled = await loadStaffForSession({ staffId: staff.id, sessionId });
    expect(enrolled).toMatchObject({ mustEnrollTotp: false });
    expect(await trpcCode(() => callerFor(enrolled).partner.options())).toBe("OK");
  });

  it("admins require TOTP through the router", async () => {
    const staff = await createTestStaff("kam");
    await callerFor(admin).staff.requireTotp({ staffId: staff.id, required: true });
    expect(await staffRow(staff.id)).toMatchObject({ totpRequired: true });
    await callerFor(admin).staff.requireTotp({ staffId: staff.id, required: false });
    expect(await staffRow(staff.id)).toMatchObject({ totpRequired: false });
  });
});

describe("staff sessions follow the account", () => {
  const sessionOf = (staff: TestStaff) => loadStaffForSession({ staffId: staff.id, sessionId: staff.sessionId });

  it("deactivating a staff member ends their open sessions at once, for good", async () => {
    const staff = await createTestStaff("operations");
    expect(await sessionOf(staff)).toMatchObject({ id: staff.id });

    await deactivateStaff(await staffCaller(admin, { ip: "203.0.113.9" }), { staffId: staff.id });

    expect(await sessionOf(staff)).toBeUndefined();
    expect(await staffRow(staff.id)).toMatchObject({ active: false });
    // The revoked row alone ends the session: reactivating the account does not bring it back.
    await callerFor(admin).staff.reactivate({ staffId: staff.id });
    expect(await sessionOf(staff)).toBeUndefined();
    await deactivateStaff(await staffCaller(admin), { staffId: staff.id });
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await latestAudit(staff.id, "staff.deactivated")).toMatchObject({
      actorId: admin.id,
      before: { active: true },
      after: { active: false, sessionsEnded: 0 },
    });
    await expect(deactivateStaff(await staffCaller(admin), { staffId: staff.id })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("a changed role ends the member's sessions; they sign in again with the new role", async () => {
    const staff = await createTestStaff("kam");
    expect(await trpcCode(() => callerFor(staff).registration.create({} as never))).toBe("FORBIDDEN");

    await changeStaffRole(await staffCaller(admin), { staffId: staff.id, role: "operations" });

    expect(await sessionOf(staff)).toBeUndefined();
    expect(await latestAudit(staff.id, "staff.role_changed")).toMatchObject({
      before: { role: "kam" },
      after: { role: "operations", sessionsEnded: 1 },
    });
    const again = await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password });
    expect(again).toMatchObject({ ok: true, staff: { role: "operations" } });
    const after = await loadStaffForSession({ staffId: staff.id, sessionId: again.ok ? again.staff.sessionId : "" });
    expect(await trpcCode(() => callerFor(after).registration.create({} as never))).toBe("BAD_REQUEST");
  });

  it("an admin cannot deactivate or demote themselves", async () => {
    const self = await createTestStaff("admin");
    await expect(deactivateStaff(await staffCaller(self), { staffId: self.id })).rejects.toBeInstanceOf(AppError);
    expect(await trpcCode(() => callerFor(self).staff.deactivate({ staffId: self.id }))).toBe("FORBIDDEN");
    expect(await trpcCode(() => callerFor(self).staff.changeRole({ staffId: self.id, role: "operations" }))).toBe(
      "FORBIDDEN",
    );
    expect(await staffRow(self.id)).toMatchObject({ active: true, role: "admin" });
    expect(await sessionOf(self)).toMatchObject({ id: self.id });
    // Another admin may.
    await callerFor(admin).staff.changeRole({ staffId: self.id, role: "operations" });
    expect(await staffRow(self.id)).toMatchObject({ role: "operations" });
  });

  it("unknown staff ids are not found", async () => {
    expect(
      await trpcCode(() => callerFor(admin).staff.unlock({ staffId: "00000000-0000-4000-8000-000000000000" })),
    ).toBe("NOT_FOUND");
  });
});
