import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { staffOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { hashPassword, verifyPassword } from "../passwords/hasher";
import { beginAttempt, checkWithin, recordFailedAttempt, releaseAttempt } from "./attempts";
import type { ChangePasswordInput } from "./schemas";
import { endAllStaffSessions } from "./sessions";
import { checkTotp, matchStoredTotp, newTotpSecret, sealTotpSecret, totpEnrollment } from "./totp";

export const confirmTotpSchema = z.object({
  secret: z.string().regex(/^[A-Z2-7]{16,64}$/, "The setup key is not valid; start again"),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app"),
  /** Replacing an enrolled authenticator needs a code from the one in use, so a borrowed session cannot take over 2FA. */
  currentCode: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code from the authenticator app you use now")
    .optional(),
});

export type ConfirmTotpInput = z.output<typeof confirmTotpSchema>;

/** A new secret for the staff member to scan, labelled with their email; nothing is stored until they prove they have it. */
export async function startTotpEnrollment(caller: Caller) {
  const [staff] = await getDb()
    .select({ email: staffUsers.email })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffOf(caller).id));
  if (!staff) throw new AppError("not_found", "No such staff member");
  const secret = newTotpSecret();
  const { uri, qrSvg } = await totpEnrollment(secret, staff.email);
  return { secret, uri, qrSvg };
}

/**
 * Turns on TOTP with the new secret once the member proves they have it.
 * Replacing an enrolled authenticator also needs a code from the current one,
 * checked as a counted attempt (attempts.ts): five wrong codes lock the
 * account like five wrong passwords, however many requests race.
 */
export async function confirmTotpEnrollment(caller: Caller, input: ConfirmTotpInput, now: number = Date.now()) {
  if (!checkTotp(input.secret, input.code))
    throw AppError.field(
      "validation_failed",
      "code",
      "That code does not match; check the time on your device and try again",
    );
  const db = getDb();
  const staffId = staffOf(caller).id;
  const sealed = sealTotpSecret(input.secret);
  const [current] = await db
    .select({ totpSecret: staffUsers.totpSecret })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId));
  if (!current) throw new AppError("not_found", "No such staff member");

  if (current.totpSecret === null) {
    await db.transaction(async (tx) => {
      const enrolled = await tx
        .update(staffUsers)
        .set({ totpSecret: sealed, totpLastStep: null, updatedAt: new Date() })
        .where(and(eq(staffUsers.id, staffId), isNull(staffUsers.totpSecret)))
        .returning({ id: staffUsers.id });
      if (enrolled.length === 0)
        throw AppError.field(
          "conflict",
          "currentCode",
          "Two-factor authentication was set up meanwhile; reload the page to replace it",
        );
      await recordAudit(tx, caller, { action: "staff.totp_enrolled", entityType: "staff", entityId: staffId });
    });
    return;
  }

  if (!input.currentCode)
    throw AppError.field(
      "validation_failed",
      "currentCode",
      "Two-factor is already set up: enter a code from the authenticator app you use now to replace it",
    );
  const grant = await beginAttempt({ staffId, now });
  if (!grant.granted) {
    await recordAudit(db, caller, {
      action: "staff.totp_replace_refused_locked",
      entityType: "staff",
      entityId: staffId,
    });
    throw lockedError("currentCode", grant.lockedForSeconds);
  }
  if (matchStoredTotp(current.totpSecret, input.currentCode, now) === undefined) {
    await recordFailedAttempt(caller, grant.attempt, { action: "staff.totp_replace_failed", reason: "totp" });
    throw AppError.field("validation_failed", "currentCode", "That code does not match your current authenticator");
  }
  // A right code proves the authenticator, not the password: the attempt is given back, the earlier count stays.
  await releaseAttempt(grant.attempt);
  await db.transaction(async (tx) => {
    const replaced = await tx
      .update(staffUsers)
      .set({ totpSecret: sealed, totpLastStep: null, updatedAt: new Date() })
      .where(and(eq(staffUsers.id, staffId), eq(staffUsers.totpSecret, current.totpSecret!)))
      .returning({ id: staffUsers.id });
    if (replaced.length === 0)
      throw AppError.field(
        "conflict",
        "currentCode",
        "Your two-factor authentication changed meanwhile; reload the page and start again",
      );
    await recordAudit(tx, caller, { action: "staff.totp_replaced", entityType: "staff", entityId: staffId });
  });
}

/**
 * A staff member changes their own password. The current password is checked
 * as a counted attempt, like a sign-in; a right one resets the count. Their
 * other sessions end (a session someone else holds is shut out); the one that
 * made the change (the caller's) stays open. Audited without either password.
 */
export async function changeOwnPassword(caller: Caller, input: ChangePasswordInput, now: number = Date.now()) {
  const db = getDb();
  const me = staffOf(caller);
  const [staff] = await db
    .select({ passwordHash: staffUsers.passwordHash })
    .from(staffUsers)
    .where(eq(staffUsers.id, me.id));
  if (!staff) throw new AppError("not_found", "No such staff member");

  const grant = await beginAttempt({ staffId: me.id, now });
  if (!grant.granted) {
    await recordAudit(db, caller, {
      action: "staff.password_change_refused_locked",
      entityType: "staff",
      entityId: me.id,
    });
    throw lockedError("currentPassword", grant.lockedForSeconds);
  }
  const attempt = grant.attempt;
  if (!(await checkWithin(attempt, () => verifyPassword(staff.passwordHash, input.currentPassword)))) {
    await recordFailedAttempt(caller, attempt, { action: "staff.password_change_failed", reason: "password" });
    throw AppError.field("validation_failed", "currentPassword", "That is not your current password");
  }
  const passwordHash = await checkWithin(attempt, () => hashPassword(input.newPassword));
  const otherSessionsEnded = await db.transaction(async (tx) => {
    // Only over the hash that was checked: an admin's reset in between wins.
    const changed = await tx
      .update(staffUsers)
      .set({ passwordHash, failedSignIns: 0, lockedUntil: null, updatedAt: new Date() })
      .where(and(eq(staffUsers.id, me.id), eq(staffUsers.passwordHash, staff.passwordHash)))
      .returning({ id: staffUsers.id });
    if (changed.length === 0) return undefined;
    const ended = await endAllStaffSessions(tx, { staffId: me.id, except: me.sessionId });
    await recordAudit(tx, caller, {
      action: "staff.password_changed",
      entityType: "staff",
      entityId: me.id,
      after: { otherSessionsEnded: ended },
    });
    return ended;
  });
  if (otherSessionsEnded === undefined) {
    await releaseAttempt(attempt);
    throw AppError.field(
      "conflict",
      "currentPassword",
      "Your password was changed meanwhile; sign in again with the new one",
    );
  }
  return { otherSessionsEnded };
}

/** "4 minutes", "45 seconds": how long a lock has left, for a message. */
function lockRemaining(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

function lockedError(field: string, seconds: number): AppError {
  return AppError.field(
    "too_many_attempts",
    field,
    `Too many wrong attempts: your account is locked for ${lockRemaining(seconds)}. Try again then, or ask an admin to unlock it.`,
    { retryAfterSeconds: seconds },
  );
}

export async function getAccountSecurity(caller: Caller) {
  const [row] = await getDb()
    .select({ enrolled: staffUsers.totpSecret, required: staffUsers.totpRequired, lastLoginAt: staffUsers.lastLoginAt })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffOf(caller).id));
  return {
    totpEnrolled: Boolean(row?.enrolled),
    totpRequired: row?.required ?? false,
    lastLoginAt: row?.lastLoginAt ?? null,
  };
}
