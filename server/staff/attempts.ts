import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import { staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { callerAs, type Caller } from "../caller";
import { FIRST_LOCK_SECONDS, FREE_FAILURES, lockSecondsAfter, MAX_LOCK_SECONDS } from "./lockout";

/**
 * Every check of a staff member's secret — the password and TOTP code at
 * sign-in, the current password or authenticator code on their account page —
 * is one attempt against one per-account counter and lock (lockout.ts).
 *
 * The attempt is counted as a failure before the check runs, by one
 * conditional UPDATE that also sets the lock when the count reaches the
 * threshold. Concurrent guesses each take a slot; once a slot has locked the
 * account no further slot is granted, so however many requests race, at most
 * FREE_FAILURES checks run before the lock. A check that passes gives its
 * slot back. No transaction or row lock is held while the (slow, argon2)
 * check runs: the embedded database serialises transactions, so that would
 * stall every other request.
 */

export interface Attempt {
  staffId: string;
  /** The failure count with this attempt in it. */
  failures: number;
  /** The lock this attempt set by reaching the threshold (null when it set none). */
  lockedUntil: Date | null;
}

export type AttemptGrant = { granted: true; attempt: Attempt } | { granted: false; lockedForSeconds: number };

/** Counts one attempt unless the account is locked at `now` (the application's clock, as everywhere the lock is read). */
export async function beginAttempt(o: { staffId: string; now: number }): Promise<AttemptGrant> {
  const at = new Date(o.now);
  const failures = sql`${staffUsers.failedSignIns} + 1`;
  // lockSecondsAfter() in SQL, so the lock is set in the statement that counts: 1 min, 2, 4 … at most MAX_LOCK_SECONDS.
  const lockSeconds = sql`least(${MAX_LOCK_SECONDS}::float8, ${FIRST_LOCK_SECONDS}::float8 * power(2::float8, least(${failures} - ${FREE_FAILURES}::int, 30)))`;
  const [row] = await getDb()
    .update(staffUsers)
    .set({
      failedSignIns: failures,
      lockedUntil: sql`case when ${failures} >= ${FREE_FAILURES}::int then ${at.toISOString()}::timestamptz + make_interval(secs => ${lockSeconds}) else ${staffUsers.lockedUntil} end`,
    })
    .where(and(eq(staffUsers.id, o.staffId), or(isNull(staffUsers.lockedUntil), lte(staffUsers.lockedUntil, at))))
    .returning({ failures: staffUsers.failedSignIns, lockedUntil: staffUsers.lockedUntil });
  if (row)
    return {
      granted: true,
      attempt: {
        staffId: o.staffId,
        failures: row.failures,
        lockedUntil: lockSecondsAfter(row.failures) > 0 ? row.lockedUntil : null,
      },
    };
  const [locked] = await getDb()
    .select({ lockedUntil: staffUsers.lockedUntil })
    .from(staffUsers)
    .where(eq(staffUsers.id, o.staffId));
  return {
    granted: false,
    lockedForSeconds: Math.max(1, Math.ceil(((locked?.lockedUntil?.getTime() ?? o.now) - o.now) / 1000)),
  };
}

/**
 * Gives back an attempt whose check passed without ending in a success that
 * resets the count (a correct password still waiting for its TOTP code), or
 * whose check could not run. The lock it set is lifted only if it is still
 * the one standing: a later failure's lock stays. Before the attempt the
 * account was not locked (it would not have been granted), so lifting means
 * clearing.
 */
export async function releaseAttempt(attempt: Attempt): Promise<void> {
  await getDb()
    .update(staffUsers)
    .set({
      failedSignIns: sql`greatest(${staffUsers.failedSignIns} - 1, 0)`,
      ...(attempt.lockedUntil
        ? {
            lockedUntil: sql`case when ${staffUsers.lockedUntil} = ${attempt.lockedUntil.toISOString()}::timestamptz then null else ${staffUsers.lockedUntil} end`,
          }
        : {}),
    })
    .where(eq(staffUsers.id, attempt.staffId));
}

/**
 * A failed check: already counted, so only its audit events are written, in
 * one transaction — the lock this attempt set (if any), by the system during
 * the caller's request, and the caller's failure.
 */
export async function recordFailedAttempt(
  caller: Caller,
  attempt: Attempt,
  o: { action: string; reason: string },
): Promise<void> {
  await getDb().transaction(async (tx) => {
    if (attempt.lockedUntil) {
      await recordAudit(tx, callerAs(caller, { type: "system" }), {
        action: "staff.locked",
        entityType: "staff",
        entityId: attempt.staffId,
        after: { failures: attempt.failures, lockSeconds: lockSecondsAfter(attempt.failures) },
      });
    }
    await recordAudit(tx, caller, {
      action: o.action,
      entityType: "staff",
      entityId: attempt.staffId,
      after: { reason: o.reason },
    });
  });
}

/** A proven password starts the count afresh and lifts any lock, as an admin's unlock does. */
export async function clearFailures(db: Executor, staffId: string): Promise<void> {
  await db.update(staffUsers).set({ failedSignIns: 0, lockedUntil: null }).where(eq(staffUsers.id, staffId));
}

/** Runs a check inside a granted attempt; if the check throws (the hasher is busy), the attempt is given back and the error passed on. */
export async function checkWithin<T>(attempt: Attempt, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    await releaseAttempt(attempt);
    throw error;
  }
}
