import { and, eq, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { getDb } from "../../db/client";
import {
  clients,
  funnelDaily,
  funnelRollupState,
  partners,
  pendingRegistrations,
  subscriptions,
} from "../../db/schema";
import { config } from "../../env";
import { assertInScope, type PartnerScope } from "../auth/policies";
import { scopeOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { FUNNEL_STAGES, type FunnelInput, type StageKey } from "./schemas";

/**
 * The onboarding funnel: registrations started in a window of UTC days and how
 * far they have got since. Every client is a started registration, whichever
 * flavour created it; partner-API step-1 registrations that never became a
 * client are added once per email. The later stages are conditions on the
 * client row. The database does all the counting: one aggregate statement,
 * whatever the number of clients (docs/decisions/0009-overview-funnel.md).
 */

/**
 * When a client has reached a stage after "started". Subscribed means the
 * client has paid for a subscription at least once (it has had a period),
 * whatever has become of the subscription since.
 */
const CLIENT_STAGES = {
  confirmed: sql`${clients.emailConfirmedAt} is not null`,
  identified: sql`${clients.verificationStatus} = 'identified'`,
  subscribed: sql`exists (select 1 from ${subscriptions} where ${subscriptions.clientId} = ${clients.id} and ${subscriptions.currentPeriodStart} is not null)`,
} satisfies Record<Exclude<StageKey, "started">, SQL>;

type ClientStageKey = keyof typeof CLIENT_STAGES;
type MeasuredStageKey = "started" | ClientStageKey;

export interface FunnelStage {
  key: MeasuredStageKey;
  label: string;
  count: number;
}

export interface FunnelDay {
  /** A UTC day, YYYY-MM-DD. */
  day: string;
  /** Registrations started that day, and how many of them have reached each later stage. */
  counts: Record<MeasuredStageKey, number>;
}

export interface Funnel {
  /** The partner asked for; null = every partner in the staff member's scope. */
  partnerId: number | null;
  days: number;
  /** First and last UTC day of the window, both included. */
  from: string;
  to: string;
  /** Totals over the window, in funnel order. */
  stages: FunnelStage[];
  /** One entry per day of the window, oldest first, days without registrations included; they add up to `stages`. */
  trend: FunnelDay[];
  /**
   * When the days before today were counted (the daily rollup); today is
   * always live. Null when every day was counted live, just now.
   */
  pastDaysAsOf: Date | null;
  /** How often the days before today are recounted (FUNNEL_ROLLUP_SECONDS); null when this instance does not. */
  recountEverySeconds: number | null;
}

const clientStageKeys = Object.keys(CLIENT_STAGES) as ClientStageKey[];

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The partners counted, as a condition on a table's partner_id column. */
function partnerCondition(column: AnyPgColumn, scope: PartnerScope, partnerId: number | undefined): SQL {
  if (partnerId !== undefined) return sql`${column} = ${partnerId}`;
  if (scope.partnerIds === undefined) return sql`true`;
  if (scope.partnerIds.length === 0) return sql`false`;
  return sql`${column} in (${sql.join(
    scope.partnerIds.map((id) => sql`${id}`),
    sql`, `,
  )})`;
}

/**
 * The counting both the live funnel and the daily rollup use: registrations
 * started per UTC day in [since, until) — per partner too with `byPartner` —
 * as `client_days` (clients, with their later stages) and `abandoned_days`
 * (partner-API registrations that never became a client).
 */
function countingCtes(o: {
  clientsWhere: SQL;
  pendingWhere: SQL;
  since: string;
  until: string;
  byPartner: boolean;
}): SQL {
  const stageCounts = clientStageKeys.map(
    (key) => sql`, count(*) filter (where ${CLIENT_STAGES[key]}) as ${sql.identifier(key)}`,
  );
  const partner = (column: SQL) => (o.byPartner ? sql`${column} as partner_id, ` : sql``);
  const groupBy = o.byPartner ? sql`1, 2` : sql`1`;
  return sql`
    with client_days as (
      select ${partner(sql`${clients.partnerId}`)}(${clients.createdAt} at time zone 'UTC')::date as day, count(*) as started${sql.join(stageCounts)}
      from ${clients}
      where ${o.clientsWhere}
        and ${clients.createdAt} >= ${o.since}::timestamptz and ${clients.createdAt} < ${o.until}::timestamptz
      group by ${groupBy}
    ), abandoned as (
      -- Step-1 registrations that never became a client: once per email, on the day of its first try.
      -- A completed one is the client it created (client_id), and an email that is a client by any
      -- route (a retry after an expired code, an "account exists" request) is that client. The lookup
      -- is a LATERAL with LIMIT so that it stays one index probe per email: written as NOT EXISTS,
      -- PostgreSQL hashes the email of every client instead (3x slower at a million clients).
      select tried.partner_id, tried.day
      from (
        select ${pendingRegistrations.partnerId} as partner_id, lower(${pendingRegistrations.email}) as email,
               (min(${pendingRegistrations.createdAt}) at time zone 'UTC')::date as day
        from ${pendingRegistrations}
        where ${o.pendingWhere}
          and ${pendingRegistrations.createdAt} >= ${o.since}::timestamptz and ${pendingRegistrations.createdAt} < ${o.until}::timestamptz
          and ${pendingRegistrations.clientId} is null
        group by 1, 2
      ) as tried
      left join lateral (
        select true as found from ${clients}
        where ${clients.partnerId} = tried.partner_id and lower(${clients.email}) = tried.email
        limit 1
      ) as client on true
      where client.found is null
    ), abandoned_days as (
      select ${partner(sql`partner_id`)}day, count(*) as started from abandoned group by ${groupBy}
    )`;
}

const windowBounds = (from: string, to: string) => ({
  since: `${from}T00:00:00Z`,
  until: `${utcDay(Date.parse(`${to}T00:00:00Z`) + DAY_MS)}T00:00:00Z`,
});

/**
 * The statement behind the funnel, exposed so the index check can EXPLAIN
 * exactly what runs. Each day of the window gets one row (generate_series
 * fills the empty ones) with the clients created that day, the abandoned
 * partner-API registrations first started that day, and the later stages.
 */
function funnelQuery(o: { scope: PartnerScope; partnerId?: number; from: string; to: string }): SQL {
  const stageColumns = clientStageKeys.map(
    (key) => sql`, coalesce(c.${sql.identifier(key)}, 0)::int as ${sql.identifier(key)}`,
  );
  const ctes = countingCtes({
    clientsWhere: partnerCondition(clients.partnerId, o.scope, o.partnerId),
    pendingWhere: partnerCondition(pendingRegistrations.partnerId, o.scope, o.partnerId),
    ...windowBounds(o.from, o.to),
    byPartner: false,
  });
  return sql`${ctes}
    select to_char(d.day, 'YYYY-MM-DD') as day, (coalesce(c.started, 0) + coalesce(a.started, 0))::int as started${sql.join(stageColumns)}
    from generate_series(${o.from}::timestamp, ${o.to}::timestamp, interval '1 day') as d(day)
    left join client_days c on c.day = d.day::date
    left join abandoned_days a on a.day = d.day::date
    order by d.day`;
}

/** Every partner's counts per day of [from, to], one row per (partner, day) with registrations: what the rollup stores. */
export function funnelRollupQuery(o: { from: string; to: string }): SQL {
  const stageColumns = clientStageKeys.map(
    (key) => sql`, coalesce(c.${sql.identifier(key)}, 0)::int as ${sql.identifier(key)}`,
  );
  const ctes = countingCtes({
    clientsWhere: sql`true`,
    pendingWhere: sql`true`,
    ...windowBounds(o.from, o.to),
    byPartner: true,
  });
  return sql`${ctes}
    select coalesce(c.partner_id, a.partner_id) as partner_id, coalesce(c.day, a.day) as day,
           (coalesce(c.started, 0) + coalesce(a.started, 0))::int as started${sql.join(stageColumns)}
    from client_days c
    full join abandoned_days a on a.partner_id = c.partner_id and a.day = c.day`;
}

/** Older than this, the daily rollup is not trusted and the whole window is counted live. */
const ROLLUP_MAX_AGE_MS = 5 * 60_000;

/** The rollup's state when it is recent and covers the window, else undefined (count live). */
async function freshRollup(from: string) {
  const [state] = await getDb()
    .select({ fromDay: funnelRollupState.fromDay, refreshedAt: funnelRollupState.refreshedAt })
    .from(funnelRollupState)
    .where(eq(funnelRollupState.id, 1));
  if (!state || state.fromDay > from || Date.now() - state.refreshedAt.getTime() > ROLLUP_MAX_AGE_MS) return undefined;
  return state;
}

/** The funnel of one partner, or of every partner in the caller's scope; a partner outside it is not found. */
export async function getFunnel(caller: Caller, input: FunnelInput): Promise<Funnel> {
  const { partnerId, days } = input;
  const scope = scopeOf(caller);
  const db = getDb();
  if (partnerId !== undefined) {
    assertInScope(scope, partnerId);
    const [exists] = await db.select({ id: partners.id }).from(partners).where(eq(partners.id, partnerId));
    if (!exists) throw new AppError("not_found", "No such record");
  }
  const todayMs = Date.parse(`${utcDay(Date.now())}T00:00:00Z`);
  const from = utcDay(todayMs - (days - 1) * DAY_MS);
  const to = utcDay(todayMs);

  const rollup = await freshRollup(from);
  const live = (liveFrom: string) =>
    db.transaction(
      async (tx) => {
        // PostgreSQL cannot know how many days the window groups into, guesses one per client and, the
        // plan looking huge, compiles it with LLVM first: 1.5 s of 2.6 s at a million clients (measured).
        await tx.execute(sql`set local jit = off`);
        return (
          await tx.execute<{ day: string } & Record<MeasuredStageKey, number>>(
            funnelQuery({ scope, partnerId, from: liveFrom, to }),
          )
        ).rows;
      },
      { accessMode: "read only" },
    );
  const keys: MeasuredStageKey[] = ["started", ...clientStageKeys];
  const countsOf = (row: Record<MeasuredStageKey, number | string>) =>
    Object.fromEntries(keys.map((key) => [key, Number(row[key])])) as Record<MeasuredStageKey, number>;
  let trend: FunnelDay[];
  if (rollup) {
    // Days before today from the rollup, today counted live.
    const [past, today] = await Promise.all([
      db
        .select({
          day: sql<string>`to_char(${funnelDaily.day}, 'YYYY-MM-DD')`,
          ...Object.fromEntries(keys.map((key) => [key, sql<number>`sum(${funnelDaily[key]})::int`])),
        })
        .from(funnelDaily)
        .where(
          and(
            partnerCondition(funnelDaily.partnerId, scope, partnerId),
            sql`${funnelDaily.day} >= ${from}::date and ${funnelDaily.day} < ${to}::date`,
          ),
        )
        .groupBy(funnelDaily.day),
      live(to),
    ]);
    const byDay = new Map(past.map((row) => [row.day, countsOf(row as unknown as Record<MeasuredStageKey, number>)]));
    const zero = Object.fromEntries(keys.map((key) => [key, 0])) as Record<MeasuredStageKey, number>;
    trend = Array.from({ length: days }, (_, i) => {
      const day = utcDay(Date.parse(`${from}T00:00:00Z`) + i * DAY_MS);
      return { day, counts: day === to ? countsOf(today[0]!) : (byDay.get(day) ?? zero) };
    });
  } else {
    trend = (await live(from)).map((row) => ({ day: row.day, counts: countsOf(row) }));
  }
  const stages: FunnelStage[] = FUNNEL_STAGES.map((s) => ({
    key: s.key,
    label: s.label,
    count: trend.reduce((sum, d) => sum + d.counts[s.key], 0),
  }));
  const recountEverySeconds = config().FUNNEL_ROLLUP_SECONDS || null;
  return {
    partnerId: partnerId ?? null,
    days,
    from,
    to,
    stages,
    trend,
    pastDaysAsOf: rollup?.refreshedAt ?? null,
    recountEverySeconds,
  };
}
