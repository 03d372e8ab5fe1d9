import { eq, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { getDb } from "../../db/client";
import { clients, partners, pendingRegistrations, subscriptions } from "../../db/schema";
import { assertInScope, type PartnerScope } from "../auth/policies";
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
export type MeasuredStageKey = "started" | ClientStageKey;

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
 * The statement behind the funnel, exposed so the index check can EXPLAIN
 * exactly what runs. Each day of the window gets one row (generate_series
 * fills the empty ones) with the clients created that day, the abandoned
 * partner-API registrations first started that day, and the later stages.
 */
export function funnelQuery(o: { scope: PartnerScope; partnerId?: number; from: string; to: string }): SQL {
  const since = `${o.from}T00:00:00Z`;
  const until = `${utcDay(Date.parse(`${o.to}T00:00:00Z`) + DAY_MS)}T00:00:00Z`;
  const stageCounts = clientStageKeys.map((key) => sql`, count(*) filter (where ${CLIENT_STAGES[key]}) as ${sql.identifier(key)}`);
  const stageColumns = clientStageKeys.map((key) => sql`, coalesce(c.${sql.identifier(key)}, 0)::int as ${sql.identifier(key)}`);
  return sql`
    with client_days as (
      select (${clients.createdAt} at time zone 'UTC')::date as day, count(*) as started${sql.join(stageCounts)}
      from ${clients}
      where ${partnerCondition(clients.partnerId, o.scope, o.partnerId)}
        and ${clients.createdAt} >= ${since}::timestamptz and ${clients.createdAt} < ${until}::timestamptz
      group by 1
    ), abandoned as (
      -- Step-1 registrations that never became a client: once per email, on the day of its first try.
      -- A completed one is the client it created (client_id), and an email that is a client by any
      -- route (a retry after an expired code, an "account exists" request) is that client. The lookup
      -- is a LATERAL with LIMIT so that it stays one index probe per email: written as NOT EXISTS,
      -- PostgreSQL hashes the email of every client instead (3x slower at a million clients).
      select tried.day
      from (
        select ${pendingRegistrations.partnerId} as partner_id, lower(${pendingRegistrations.email}) as email,
               (min(${pendingRegistrations.createdAt}) at time zone 'UTC')::date as day
        from ${pendingRegistrations}
        where ${partnerCondition(pendingRegistrations.partnerId, o.scope, o.partnerId)}
          and ${pendingRegistrations.createdAt} >= ${since}::timestamptz and ${pendingRegistrations.createdAt} < ${until}::timestamptz
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
      select day, count(*) as started from abandoned group by day
    )
    select to_char(d.day, 'YYYY-MM-DD') as day, (coalesce(c.started, 0) + coalesce(a.started, 0))::int as started${sql.join(stageColumns)}
    from generate_series(${o.from}::timestamp, ${o.to}::timestamp, interval '1 day') as d(day)
    left join client_days c on c.day = d.day::date
    left join abandoned_days a on a.day = d.day::date
    order by d.day`;
}

/** The funnel of one partner, or of every partner in the staff member's scope; a partner outside it is not found. */
export async function getFunnel(o: { scope: PartnerScope; input: FunnelInput }): Promise<Funnel> {
  const { partnerId, days } = o.input;
  const db = getDb();
  if (partnerId !== undefined) {
    assertInScope(o.scope, partnerId);
    const [exists] = await db.select({ id: partners.id }).from(partners).where(eq(partners.id, partnerId));
    if (!exists) throw new AppError("not_found", "No such record");
  }
  const todayMs = Date.parse(`${utcDay(Date.now())}T00:00:00Z`);
  const from = utcDay(todayMs - (days - 1) * DAY_MS);
  const to = utcDay(todayMs);

  const result = await db.transaction(
    async (tx) => {
      // PostgreSQL cannot know how many days the window groups into, guesses one per client and, the
      // plan looking huge, compiles it with LLVM first: 1.5 s of 2.6 s at a million clients (measured).
      await tx.execute(sql`set local jit = off`);
      return tx.execute<{ day: string } & Record<MeasuredStageKey, number>>(funnelQuery({ scope: o.scope, partnerId, from, to }));
    },
    { accessMode: "read only" },
  );
  const keys: MeasuredStageKey[] = ["started", ...clientStageKeys];
  const trend: FunnelDay[] = result.rows.map((row) => ({
    day: row.day,
    counts: Object.fromEntries(keys.map((key) => [key, Number(row[key])])) as Record<MeasuredStageKey, number>,
  }));
  const stages: FunnelStage[] = FUNNEL_STAGES.map((s) => ({
    key: s.key as MeasuredStageKey,
    label: s.label,
    count: trend.reduce((sum, d) => sum + d.counts[s.key as MeasuredStageKey], 0),
  }));
  return { partnerId: partnerId ?? null, days, from, to, stages, trend };
}
