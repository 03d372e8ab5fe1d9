/**
 * When an undelivered webhook message is tried again, counted from its first
 * attempt: about 5 s, 5 min, 30 min, 2 h, 5 h and 10 h after the attempt
 * before, then every 10 h, until 72 h have passed since the first one. Each
 * wait is spread by ±20% so that the messages of one outage do not all
 * return at once.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const RETRY_WAITS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR] as const;
const LATER_WAIT_MS = 10 * HOUR;
export const GIVE_UP_AFTER_MS = 72 * HOUR;
const JITTER = 0.2;

/**
 * The time of the next attempt after attempt number `attempts` (1 = the first)
 * failed at `failedAt`, or null when the message has been tried for 72 hours.
 * `random` is in [0, 1).
 */
export function nextAttemptAt(o: {
  attempts: number;
  firstAttemptAt: Date;
  failedAt: Date;
  random?: number;
}): Date | null {
  const base = RETRY_WAITS_MS[o.attempts - 1] ?? LATER_WAIT_MS;
  const spread = 1 + JITTER * (2 * (o.random ?? Math.random()) - 1);
  const at = o.failedAt.getTime() + Math.round(base * spread);
  if (at - o.firstAttemptAt.getTime() > GIVE_UP_AFTER_MS) return null;
  return new Date(at);
}
