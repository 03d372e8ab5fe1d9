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

export async function fingerprint(o: { partnerIds?: number[]; staffIds?: string[] }): Promise<Fingerprint> {
  const db = getDb();
  const partnerIds = o.partnerIds ?? [];
  const staffIds = o.staffIds ?? [];
  const tables = await (tablesWith ??= columnsByTable());
  const partnerList = partnerIds.length > 0 ? sql.join(partnerIds.map((id) => sql`${id}`), sql`, `) : sql`null`;
  const clientsOf = sql`(select id from clients where partner_id in (${partnerList}))`;
  const scopes: Array<[string, ReturnType<typeof sql>]> = [["partners", sql`select * from partners t where t.id in (${partnerList})`]];
  for (const [table, columns] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    if (DERIVED.has(table)) continue;
    const row = IDS_ONLY.has(table) ? sql`t.id` : sql`t`;
    const from = sql.raw(`"${table}"`);
    let where;
    if (columns.has("partner_id")) where = sql`t.partner_id in (${partnerList})`;
    else if (columns.has("client_id")) where = sql`t.client_id in ${clientsOf}`;
    else if (columns.has("account_id")) where = sql`t.account_id in (select id from accounts where client_id in ${clientsOf})`;
    else if (columns.has("invoice_id")) where = sql`t.invoice_id in (select id from invoices where partner_id in (${partnerList}))`;
    else continue;
    scopes.push([table, sql`select ${row} from ${from} t where ${where}`]);
  }
  if (staffIds.length > 0) {
    const staffList = sql.join(staffIds.map((id) => sql`${id}::uuid`), sql`, `);
    // last_login_at moves with every sign-in of the test's own staff, which is not what is compared.
    scopes.push(["staff_users", sql`select t.id, t.email, t.name, t.role, t.active, t.password_hash, t.failed_sign_ins, t.locked_until, t.totp_secret, t.totp_required, t.session_version from staff_users t where t.id in (${staffList})`]);
  }
  const result: Fingerprint = {};
  for (const [name, query] of scopes) {
    const rows = await db.execute<{ digest: string; n: number }>(sql`select md5(coalesce(string_agg(r::text, '|' order by r::text), '')) as digest, count(*)::int as n from (${query}) r`);
    result[name] = `${rows.rows[0]!.n}:${rows.rows[0]!.digest}`;
  }
  return result;
}
