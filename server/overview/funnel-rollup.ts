import { eq, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { getDb } from "../../db/client";
import { clients, funnelDaily, funnelRollupState } from "../../db/schema";
import { config } from "../../env";
import { ensureJob, type Job } from "../jobs/runner";
import { funnelRollupQuery } from "./funnel";
import { FUNNEL_PERIODS } from "./schemas";

/**
 * The Overview funnel's daily rollup. Counting a 30-day cohort means reading
 * every client of the window (half a second at a million clients), so a job
 * recomputes every partner's counts per day of the longest period into
 * `funnel_daily`; the page then sums at most 90 rows per partner and counts
 * only today live. One instance at a time recomputes (an advisory lock), and
 * not more often than the interval, however many instances run the job.
 * See docs/decisions/0009-overview-funnel.md.
 */

const LOCK_KEY = 7_271_001;
const DAY_MS = 86_400_000;
const ROLLUP_DAYS = FUNNEL_PERIODS.at(-1)!;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Recomputes the rollup for the last ROLLUP_DAYS days. Skipped when another
 * instance holds the lock or refreshed less than `minAgeMs` ago; with `wait`,
 * it waits for that instance instead and then recounts all the same (its count
 * may have started before the rows this caller needs counted).
 */
export async function refreshFunnelRollup(
  o: { now?: Date; minAgeMs?: number; wait?: boolean } = {},
): Promise<{ refreshed: boolean; rows: number }> {
  return getDb().transaction(async (tx) => {
    if (o.wait) await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    else {
      const locked = await tx.execute<{ locked: boolean }>(
        sql`select pg_try_advisory_xact_lock(${LOCK_KEY}) as locked`,
      );
      if (!locked.rows[0]?.locked) return { refreshed: false, rows: 0 };
    }
    // The clock is read once the lock is held, so a recount that waited is dated when it counted.
    const now = o.now ?? new Date();
    const today = utcDay(now.getTime());
    const fromDay = utcDay(Date.parse(`${today}T00:00:00Z`) - (ROLLUP_DAYS - 1) * DAY_MS);
    if (o.minAgeMs) {
      const [state] = await tx
        .select({ refreshedAt: funnelRollupState.refreshedAt })
        .from(funnelRollupState)
        .where(eq(funnelRollupState.id, 1));
      if (state && now.getTime() - state.refreshedAt.getTime() < o.minAgeMs) return { refreshed: false, rows: 0 };
    }
    // See funnel.ts: without this PostgreSQL compiles the big aggregate with LLVM first.
    await tx.execute(sql`set local jit = off`);
    // The rollup is recomputed whole, inside this transaction: readers see the old rows or the new ones.
    // eslint-disable-next-line drizzle/enforce-delete-with-where
    await tx.delete(funnelDaily);
    const inserted = await tx.execute(sql`
      insert into ${funnelDaily} (partner_id, day, started, confirmed, identified, subscribed)
      select partner_id, day, started, confirmed, identified, subscribed from (${funnelRollupQuery({ from: fromDay, to: today })}) as counted`);
    await tx
      .insert(funnelRollupState)
      .values({ id: 1, fromDay, refreshedAt: now })
      .onConflictDoUpdate({ target: funnelRollupState.id, set: { fromDay, refreshedAt: now } });
    return { refreshed: true, rows: inserted.rowCount ?? 0 };
  });
}

/**
 * What every change that adds many clients at once (the demo and bulk seeds,
 * an import) calls once its rows have committed, in whatever process it runs:
 * `ANALYZE` on the tables it filled, so the planner does not plan the next
 * queries for the tables' old sizes, then a recount of the funnel (waiting for
 * one already running elsewhere), so the Overview shows the new clients at
 * once instead of at the next tick. The interval's skip does not apply: the
 * point is to count what just changed.
 */
export async function afterBulkClientLoad(o: {
  /** The tables the change filled; `clients` is always analysed. */
  tables: readonly PgTable[];
}): Promise<{ recounted: boolean }> {
  const db = getDb();
  for (const table of new Set([clients, ...o.tables])) await db.execute(sql`analyze ${table}`);
  // With the rollup turned off the Overview counts live, and a rollup nobody refreshes would soon be stale.
  if (config().FUNNEL_ROLLUP_SECONDS === 0) return { recounted: false };
  await refreshFunnelRollup({ wait: true });
  return { recounted: true };
}

/**
 * Recomputes the rollup every FUNNEL_ROLLUP_SECONDS in this process, the
 * first two seconds after start (0 turns it off). Never throws.
 */
export function ensureFunnelRollupJob(): Job | undefined {
  const seconds = config().FUNNEL_ROLLUP_SECONDS;
  if (seconds === 0) return undefined;
  const intervalMs = seconds * 1000;
  return ensureJob({
    name: "funnel-rollup",
    intervalMs,
    firstRunMs: 2000,
    // Tried again at the next tick: meanwhile the page counts live, which is slower but right.
    maxErrorDelayMs: intervalMs,
    failureMessage: "the funnel rollup could not be refreshed; the Overview counts live meanwhile",
    async run() {
      await refreshFunnelRollup({ minAgeMs: intervalMs * 0.8 });
      return false;
    },
  });
}
