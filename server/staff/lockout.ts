/**
 * Staff sign-in lockout: after FREE_FAILURES wrong passwords in a row the
 * account waits, and each further failure doubles the wait (1 min, 2, 4 … at
 * most an hour). A success resets it; an admin can unlock at once.
 */
export const FREE_FAILURES = 5;
export const FIRST_LOCK_SECONDS = 60;
export const MAX_LOCK_SECONDS = 60 * 60;

/** How long to lock after the given number of consecutive failures (0 = no lock). */
export function lockSecondsAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2 ** (failures - FREE_FAILURES));
}
