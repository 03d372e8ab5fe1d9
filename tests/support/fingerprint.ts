import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";

/**
 * A digest of every row a refused request could have changed for the given
 * partners and staff, table by table, to prove that it changed nothing.
 *
 * Other test files share the database, so only rows reachable from the test's
 * own partners (by partner_id, or through their clients, accounts and
 * invoices) and own staff members are read: a parallel test cannot move them.
 * Tables are found from the schema, so a new table with a partner_id is
 * covered without touching this file. Left out, because other tests' workers
 * legitimately move them for every partner: the funnel rollup (derived data)
 * and the outbox's delivery columns (only which emails exist is compared).
 */
export type Fingerprint = Record<string, string>;

const DERIVED = new Set(["funnel_daily"]);
const IDS_ONLY = new Set(["email_outbox"]);

let tablesWith: Promise<Map<string, Set<string>>> | undefined;

async function columnsByTable(): Promise<Map<string, Set<string>>> {
  const rows = await getDb().execute<{ table_name: string; column_name: string }>(
    sql`select table_name, column_name from information_schema.columns
        where table_schema = current_schema() and column_name in ('partner_id', 'client_id', 'account_id', 'invoice_id')`,
  );
  const map = new Map<string, Set<string>>();
  for (const r of rows.rows) map.set(r.table_name, (map.get(r.table_name) ?? new Set()).add(r.column_name));
  return map;
}

/**
 * What a refused public request is meant to leave behind, so it is not
 * counted as a change: security events in the audit log, the wrong-code count
 * and lock of a pending confirmation, and a presented key's last-use time
 * (noted once the key is recognised, before a later check refuses the request).
 */
const REFUSAL_TRACES: Record<string, string[]> = {
  pending_registrations: ["attempts", "state", "updated_at"],
  email_confirmations: ["attempts", "state", "updated_at"],
  password_resets: ["attempts", "state", "updated_at"],
  api_keys: ["last_used_at"],
};
const SECURITY_EVENT = "(_failed|_use|_locked|_throttled|_reused|_refused_locked)$";

/**
 * What a refused check of a staff member's own secret (a wrong current password or
 * authenticator code) is meant to leave behind: the failure is counted, and may lock.
 */
const STAFF_FAILURE_TRACES = ["failed_sign_ins", "locked_until"];

export async function fingerprint(o: {
  partnerIds?: number[];
  staffIds?: string[];
  allowRefusalTraces?: boolean;
  allowStaffFailureCount?: boolean;
}): Promise<Fingerprint> {
  const partnerIds = o.partnerIds ?? [];
  const staffIds = o.staffIds ?? [];
  const tables = await (tablesWith ??= columnsByTable());
  const partnerList =
    partnerIds.length > 0
      ? sql.join(
          partnerIds.map((id) => sql`${id}::int`),
          sql`, `,
        )
      : sql`null`;
  const clientsOf = sql`(select id from clients where partner_id in (${partnerList}))`;
  const row = (table: string) => {
    if (IDS_ONLY.has(table)) return sql`to_jsonb(t.id)`;
    const dropped = o.allowRefusalTraces ? (REFUSAL_TRACES[table] ?? []) : [];
    return dropped.length > 0
      ? sql`to_jsonb(t) - ${sql.raw(`array[${dropped.map((c) => `'${c}'`).join(", ")}]`)}`
      : sql`to_jsonb(t)`;
  };
  const scopes: ReturnType<typeof sql>[] = [
    sql`select 'partners' as name, ${row("partners")} as r from partners t where t.id in (${partnerList})`,
  ];
  for (const [table, columns] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    if (DERIVED.has(table)) continue;
    let where;
    if (columns.has("partner_id")) where = sql`t.partner_id in (${partnerList})`;
    else if (columns.has("client_id")) where = sql`t.client_id in ${clientsOf}`;
    else if (columns.has("account_id"))
      where = sql`t.account_id in (select id from accounts where client_id in ${clientsOf})`;
    else if (columns.has("invoice_id"))
      where = sql`t.invoice_id in (select id from invoices where partner_id in (${partnerList}))`;
    else continue;
    if (table === "audit_events" && o.allowRefusalTraces) where = sql`${where} and t.action !~ ${SECURITY_EVENT}`;
    scopes.push(sql`select ${table}::text as name, ${row(table)} as r from ${sql.raw(`"${table}"`)} t where ${where}`);
  }
  if (staffIds.length > 0) {
    const staffList = sql.join(
      staffIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    // last_login_at moves with every sign-in of the test's own staff, which is not what is compared.
    const dropped = ["last_login_at", ...(o.allowStaffFailureCount ? STAFF_FAILURE_TRACES : [])];
    scopes.push(
      sql`select 'staff_users' as name, to_jsonb(t) - ${sql.raw(`array[${dropped.map((c) => `'${c}'`).join(", ")}]`)} as r from staff_users t where t.id in (${staffList})`,
    );
    scopes.push(
      sql`select 'staff_sessions' as name, to_jsonb(t) as r from staff_sessions t where t.staff_id in (${staffList})`,
    );
  }
  // One statement, so a fingerprint per call stays cheap.
  const rows = await getDb().execute<{ name: string; n: number; digest: string }>(
    sql`select name, count(*)::int as n, md5(string_agg(r::text, '|' order by r::text)) as digest from (${sql.join(scopes, sql` union all `)}) x group by name order by name`,
  );
  return Object.fromEntries(rows.rows.map((r) => [r.name, `${r.n}:${r.digest}`]));
}
