import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { verifyAgainstNothing, verifyPassword } from "../passwords/hasher";
import { lockSecondsAfter } from "./lockout";
import { matchStoredTotp } from "./totp";

export type StaffRole = "admin" | "operations" | "kam";

export interface SignedInStaff {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  sessionVersion: number;
  mustEnrollTotp: boolean;
}

export type SignInFailure = "invalid" | "locked" | "totp_required" | "totp_invalid";

export type SignInResult = { ok: true; staff: SignedInStaff } | { ok: false; reason: SignInFailure; retryAfterSeconds?: number };

/**
 * Checks a staff member's password (and TOTP code when enrolled), applying
 * the lockout. Every outcome is audited as a security event with the IP,
 * except the request for a TOTP code after a correct password (the form's
 * second step, not a failure).
 */
export async function signInStaff(o: { email: string; password: string; totp?: string; ip?: string | null; now?: number }): Promise<SignInResult> {
  const db = getDb();
  const [staff] = await db
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      name: staffUsers.name,
      role: staffUsers.role,
      active: staffUsers.active,
      passwordHash: staffUsers.passwordHash,
      failedSignIns: staffUsers.failedSignIns,
      lockedUntil: staffUsers.lockedUntil,
      totpSecret: staffUsers.totpSecret,
      totpRequired: staffUsers.totpRequired,
      sessionVersion: staffUsers.sessionVersion,
    })
    .from(staffUsers)
    .where(sql`lower(${staffUsers.email}) = lower(${o.email})`);
  if (!staff) {
    await verifyAgainstNothing(o.password);
    // The address typed is kept (never the password): attempts on addresses that do not exist are worth seeing.
    await recordAudit(db, { actor: { type: "anonymous" }, action: "staff.sign_in_failed", entityType: "staff", after: { reason: "unknown_email", email: o.email.trim().toLowerCase().slice(0, 254) }, ip: o.ip });
    return { ok: false, reason: "invalid" };
  }
  const now = o.now ?? Date.now();
  if (staff.lockedUntil && staff.lockedUntil.getTime() > now) {
    await recordAudit(db, { actor: { type: "anonymous" }, action: "staff.sign_in_refused_locked", entityType: "staff", entityId: staff.id, ip: o.ip });
    return { ok: false, reason: "locked", retryAfterSeconds: Math.ceil((staff.lockedUntil.getTime() - now) / 1000) };
  }
  const passwordOk = await verifyPassword(staff.passwordHash, o.password);
  if (!passwordOk || !staff.active) {
    await recordFailure({ staffId: staff.id, reason: staff.active ? "password" : "inactive", now, ip: o.ip });
    return { ok: false, reason: "invalid" };
  }
  if (staff.totpSecret) {
    if (!o.totp) return { ok: false, reason: "totp_required" };
    const step = matchStoredTotp(staff.totpSecret, o.totp, now);
    // Spent atomically: a code seen on the wire or over a shoulder cannot be used again, even within its 90-second window.
    const spent =
      step !== undefined &&
      (await db
        .update(staffUsers)
        .set({ totpLastStep: step })
        .where(and(eq(staffUsers.id, staff.id), or(isNull(staffUsers.totpLastStep), lt(staffUsers.totpLastStep, step))))
        .returning({ id: staffUsers.id })).length === 1;
    if (!spent) {
      // Wrong codes count towards the lockout too, or a known password would allow guessing codes without limit.
      await recordFailure({ staffId: staff.id, reason: step === undefined ? "totp" : "totp_reused", now, ip: o.ip });
      return { ok: false, reason: "totp_invalid" };
    }
  }
  await db.transaction(async (tx) => {
    await tx.update(staffUsers).set({ failedSignIns: 0, lockedUntil: null, lastLoginAt: new Date() }).where(eq(staffUsers.id, staff.id));
    await recordAudit(tx, { actor: { type: "staff", id: staff.id }, action: "staff.sign_in", entityType: "staff", entityId: staff.id, ip: o.ip });
  });
  return {
    ok: true,
    staff: {
      id: staff.id,
      email: staff.email,
      name: staff.name,
      role: staff.role,
      sessionVersion: staff.sessionVersion,
      mustEnrollTotp: staff.totpRequired && !staff.totpSecret,
    },
  };
}

/** A sign-in refused before any account was looked up (an empty or oversized field): audited, with nothing typed. */
export async function recordRejectedSignIn(o: { ip?: string | null }): Promise<void> {
  await recordAudit(getDb(), { actor: { type: "anonymous" }, action: "staff.sign_in_failed", entityType: "staff", after: { reason: "malformed" }, ip: o.ip });
}

/** Counts one failed attempt and, past the free ones, locks the account: one transaction with its audit events. */
async function recordFailure(o: { staffId: string; reason: "password" | "inactive" | "totp" | "totp_reused"; now: number; ip?: string | null }): Promise<void> {
  await getDb().transaction(async (tx) => {
    const [updated] = await tx
      .update(staffUsers)
      .set({ failedSignIns: sql`${staffUsers.failedSignIns} + 1` })
      .where(eq(staffUsers.id, o.staffId))
      .returning({ failures: staffUsers.failedSignIns });
    const failures = updated!.failures;
    const lockSeconds = lockSecondsAfter(failures);
    if (lockSeconds > 0) {
      await tx.update(staffUsers).set({ lockedUntil: new Date(o.now + lockSeconds * 1000) }).where(eq(staffUsers.id, o.staffId));
      await recordAudit(tx, { actor: { type: "system" }, action: "staff.locked", entityType: "staff", entityId: o.staffId, after: { failures, lockSeconds }, ip: o.ip });
    }
    await recordAudit(tx, { actor: { type: "anonymous" }, action: "staff.sign_in_failed", entityType: "staff", entityId: o.staffId, after: { reason: o.reason }, ip: o.ip });
  });
}

/** The current state of a signed-in staff member, or undefined when the session must end. */
export async function loadStaffForSession(id: string, sessionVersion: number): Promise<SignedInStaff | undefined> {
  const [staff] = await getDb()
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      name: staffUsers.name,
      role: staffUsers.role,
      active: staffUsers.active,
      sessionVersion: staffUsers.sessionVersion,
      totpSecret: staffUsers.totpSecret,
      totpRequired: staffUsers.totpRequired,
    })
    .from(staffUsers)
    .where(eq(staffUsers.id, id));
  if (!staff || !staff.active || staff.sessionVersion !== sessionVersion) return undefined;
  return { id: staff.id, email: staff.email, name: staff.name, role: staff.role, sessionVersion: staff.sessionVersion, mustEnrollTotp: staff.totpRequired && !staff.totpSecret };
}
