import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { callerAs, type Caller } from "../caller";
import { verifyAgainstNothing, verifyPassword } from "../passwords/hasher";
import { beginAttempt, checkWithin, clearFailures, recordFailedAttempt, releaseAttempt } from "./attempts";
import { startStaffSession, type SignedInStaff } from "./sessions";
import type { SignInInput } from "./schemas";
import { matchStoredTotp } from "./totp";

/** What the person signing in is told. A locked account answers "invalid", like a wrong password. */
export type SignInFailure = "invalid" | "totp_required" | "totp_invalid";

export type SignInResult =
  | { ok: true; staff: SignedInStaff }
  | {
      ok: false;
      reason: SignInFailure;
      /** Set when the account was locked: for the server's own use (tests, logs), never for the answer. */
      lockedForSeconds?: number;
    };

/**
 * Checks a staff member's password (and TOTP code when enrolled), applying
 * the lockout, and opens a session row on success. The caller is the
 * anonymous request; it becomes the staff member once both checks pass. Every
 * outcome is audited as a security event with the caller's address, except
 * the request for a TOTP code after a correct password (the form's second
 * step, not a failure).
 *
 * Each try is counted before its checks run (attempts.ts), so racing requests
 * cannot get more checks than the lockout allows. Whether the email exists
 * and whether the account is locked are not told apart from a wrong password:
 * the same answer, after the same argon2 work.
 */
export async function signInStaff(caller: Caller, input: SignInInput, now: number = Date.now()): Promise<SignInResult> {
  const db = getDb();
  const [staff] = await db
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      name: staffUsers.name,
      role: staffUsers.role,
      active: staffUsers.active,
      passwordHash: staffUsers.passwordHash,
      totpSecret: staffUsers.totpSecret,
      totpRequired: staffUsers.totpRequired,
    })
    .from(staffUsers)
    .where(sql`lower(${staffUsers.email}) = lower(${input.email})`);
  if (!staff) {
    await verifyAgainstNothing(input.password);
    // The address typed is kept (never the password): attempts on addresses that do not exist are worth seeing.
    await recordAudit(db, caller, {
      action: "staff.sign_in_failed",
      entityType: "staff",
      after: { reason: "unknown_email", email: input.email.trim().toLowerCase().slice(0, 254) },
    });
    return { ok: false, reason: "invalid" };
  }

  const grant = await beginAttempt({ staffId: staff.id, now });
  if (!grant.granted) {
    await verifyAgainstNothing(input.password);
    await recordAudit(db, caller, { action: "staff.sign_in_refused_locked", entityType: "staff", entityId: staff.id });
    return { ok: false, reason: "invalid", lockedForSeconds: grant.lockedForSeconds };
  }
  const attempt = grant.attempt;
  const fail = async (
    reason: "password" | "inactive" | "totp" | "totp_reused",
    answer: SignInFailure,
  ): Promise<SignInResult> => {
    await recordFailedAttempt(caller, attempt, { action: "staff.sign_in_failed", reason });
    return { ok: false, reason: answer };
  };

  const passwordOk = await checkWithin(attempt, () => verifyPassword(staff.passwordHash, input.password));
  if (!passwordOk || !staff.active) return fail(staff.active ? "password" : "inactive", "invalid");
  if (staff.totpSecret) {
    if (!input.totp) {
      await releaseAttempt(attempt);
      return { ok: false, reason: "totp_required" };
    }
    const step = matchStoredTotp(staff.totpSecret, input.totp, now);
    // Wrong codes count towards the lockout too (this attempt stays counted), or a known password would allow guessing codes without limit.
    if (step === undefined) return fail("totp", "totp_invalid");
    if (!(await spendTotpStep(staff.id, step))) return fail("totp_reused", "totp_invalid");
  }

  const member = callerAs(caller, { type: "staff", id: staff.id, role: staff.role });
  const sessionId = await db.transaction(async (tx) => {
    await clearFailures(tx, staff.id);
    await tx.update(staffUsers).set({ lastLoginAt: new Date() }).where(eq(staffUsers.id, staff.id));
    const id = await startStaffSession(tx, member, now);
    await recordAudit(tx, member, { action: "staff.sign_in", entityType: "staff", entityId: staff.id });
    return id;
  });
  return {
    ok: true,
    staff: {
      id: staff.id,
      email: staff.email,
      name: staff.name,
      role: staff.role,
      sessionId,
      mustEnrollTotp: staff.totpRequired && !staff.totpSecret,
    },
  };
}

/** Spent atomically: a code seen on the wire or over a shoulder cannot be used again, even within its 90-second window. */
async function spendTotpStep(staffId: string, step: number): Promise<boolean> {
  const spent = await getDb()
    .update(staffUsers)
    .set({ totpLastStep: step })
    .where(and(eq(staffUsers.id, staffId), or(isNull(staffUsers.totpLastStep), lt(staffUsers.totpLastStep, step))))
    .returning({ id: staffUsers.id });
  return spent.length === 1;
}

/** A sign-in refused before any account was looked up (an empty or oversized field): audited, with nothing typed. */
export async function recordRejectedSignIn(caller: Caller): Promise<void> {
  await recordAudit(getDb(), caller, {
    action: "staff.sign_in_failed",
    entityType: "staff",
    after: { reason: "malformed" },
  });
}
