import { sql } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { quotaCounters } from "../../db/schema";

export interface Window {
  start: Date;
  end: Date;
}

/** The fixed window that `now` falls in. */
export function windowFor(now: Date, windowSeconds: number): Window {
  const size = windowSeconds * 1000;
  const start = Math.floor(now.getTime() / size) * size;
  return { start: new Date(start), end: new Date(start + size) };
}

/** Whole seconds until the window ends, at least 1 (for Retry-After). */
export function secondsUntil(end: Date, now: Date): number {
  return Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));
}

export interface QuotaDecision {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
  /** The window the use was counted in: what `releaseQuota` gives back to. */
  windowStart: Date;
}

/**
 * Counts one use of `scope` in the current window and says whether it is
 * within `limit`. The increment is one atomic upsert, so every instance on the
 * same database shares the count. A limit of 0 means no quota.
 */
export async function consumeQuota(
  db: Executor,
  o: { scope: string; limit: number; windowSeconds: number; now?: Date },
): Promise<QuotaDecision> {
  const now = o.now ?? new Date();
  const w = windowFor(now, o.windowSeconds);
  if (o.limit <= 0) return { allowed: true, count: 0, retryAfterSeconds: 0, windowStart: w.start };
  const [row] = await db
    .insert(quotaCounters)
    .values({ scope: o.scope, windowStart: w.start, count: 1, expiresAt: w.end })
    .onConflictDoUpdate({
      target: [quotaCounters.scope, quotaCounters.windowStart],
      set: { count: sql`${quotaCounters.count} + 1` },
    })
    .returning({ count: quotaCounters.count });
  const count = row!.count;
  return { allowed: count <= o.limit, count, retryAfterSeconds: secondsUntil(w.end, now), windowStart: w.start };
}

/**
 * Gives back one use counted by `consumeQuota`, in the window it was counted
 * in. Limits that must hold under concurrent requests (sign-in failures)
 * count an attempt before doing the work and give it back when the attempt
 * turns out not to count, so N racing requests can never all pass a check
 * made before any of them is counted.
 */
export async function releaseQuota(db: Executor, o: { scope: string; windowStart: Date }): Promise<void> {
  await db.execute(
    sql`update quota_counters set count = greatest(count - 1, 0) where scope = ${o.scope} and window_start = ${o.windowStart}`,
  );
}

/** Reads a count without changing it (for limits checked before they are spent). */
export async function peekQuota(
  db: Executor,
  o: { scope: string; windowSeconds: number; now?: Date },
): Promise<number> {
  const w = windowFor(o.now ?? new Date(), o.windowSeconds);
  const rows = await db.execute<{ count: number }>(
    sql`select count from quota_counters where scope = ${o.scope} and window_start = ${w.start}`,
  );
  return Number(rows.rows[0]?.count ?? 0);
}
