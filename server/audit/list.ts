import { and, desc, eq, gte, lt, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { getDb } from "../../db/client";
import { apiKeys, auditEvents, partners, staffUsers } from "../../db/schema";
import type { Caller } from "../caller";
import { keysetPage, timeCursor, timeKeyOf } from "../keyset";
import type { AuditActorType, AuditFilters, AuditListInput } from "./schemas";

/** An audit event as the Audit log page and its CSV export show it. */
export interface AuditEventItem {
  id: number;
  at: Date;
  actorType: AuditActorType;
  actorId: string | null;
  /** The staff member's name, or the API key's name. */
  actorName: string | null;
  /** The staff member's email, or the API key's visible prefix. */
  actorDetail: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  /** The staff member's email when the entity is a staff account. */
  entityLabel: string | null;
  partnerId: number | null;
  partnerName: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  requestId: string | null;
}

export interface AuditPage {
  items: AuditEventItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * The keyset position: `at` as UTC text to the microsecond (a JavaScript Date
 * keeps milliseconds only, and a cursor rounded to them would skip events)
 * and the id, which orders the events of one transaction (they share `at`).
 */
const atKey = timeKeyOf(auditEvents.at);

const nextDay = (isoDate: string) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + 86_400_000);

/**
 * Actor and entity ids are text (an API key's, a client's or a staff
 * member's id). Cast only what looks like a uuid, so the join uses the
 * primary key and an odd id cannot fail the whole page.
 */
const uuidOrNull = (column: SQLWrapper) =>
  sql`case when ${column} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then ${column}::uuid end`;

const actorStaff = alias(staffUsers, "actor_staff");
const entityStaff = alias(staffUsers, "entity_staff");

/** Each condition matches an index on audit_events: (actor_type, actor_id, at), (action, at), (partner_id, at), (entity_type, entity_id, at) or (at). */
function conditionsFor(filters: AuditFilters, after: { k: string; id: string } | undefined): SQL[] {
  const where: SQL[] = [];
  if (filters.actorType) where.push(eq(auditEvents.actorType, filters.actorType));
  if (filters.actorId) where.push(eq(auditEvents.actorId, filters.actorId));
  if (filters.action) where.push(eq(auditEvents.action, filters.action));
  if (filters.partnerId !== undefined) where.push(eq(auditEvents.partnerId, filters.partnerId));
  if (filters.entityType) where.push(eq(auditEvents.entityType, filters.entityType));
  if (filters.entityId) where.push(eq(auditEvents.entityId, filters.entityId));
  if (filters.from) where.push(gte(auditEvents.at, new Date(`${filters.from}T00:00:00Z`)));
  if (filters.to) where.push(lt(auditEvents.at, nextDay(filters.to)));
  if (after) where.push(sql`(${auditEvents.at}, ${auditEvents.id}) < (${after.k}::timestamptz, ${after.id}::bigint)`);
  return where;
}

/**
 * One keyset page, newest first, plus one extra row to learn whether another
 * page exists. Never OFFSET: its cost grows with the page number.
 */
export async function fetchAuditPage(o: {
  filters: AuditFilters;
  cursor?: string | null;
  limit: number;
}): Promise<AuditPage> {
  const after = o.cursor ? timeCursor.bigint.decode(o.cursor) : undefined;
  const rows = await getDb()
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      actorName: sql<string | null>`coalesce(${actorStaff.name}, ${apiKeys.name})`,
      actorDetail: sql<string | null>`coalesce(${actorStaff.email}, ${apiKeys.prefix})`,
      action: auditEvents.action,
      entityType: auditEvents.entityType,
      entityId: auditEvents.entityId,
      entityLabel: entityStaff.email,
      partnerId: auditEvents.partnerId,
      partnerName: partners.name,
      before: auditEvents.before,
      after: auditEvents.after,
      ip: auditEvents.ip,
      requestId: auditEvents.requestId,
      sortKey: atKey,
    })
    .from(auditEvents)
    .leftJoin(actorStaff, and(eq(auditEvents.actorType, "staff"), eq(actorStaff.id, uuidOrNull(auditEvents.actorId))))
    .leftJoin(apiKeys, and(eq(auditEvents.actorType, "api_key"), eq(apiKeys.id, uuidOrNull(auditEvents.actorId))))
    .leftJoin(
      entityStaff,
      and(eq(auditEvents.entityType, "staff"), eq(entityStaff.id, uuidOrNull(auditEvents.entityId))),
    )
    .leftJoin(partners, eq(partners.id, auditEvents.partnerId))
    .where(and(...conditionsFor(o.filters, after)))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(o.limit + 1);
  const page = keysetPage(rows, o.limit);
  return { items: page.items satisfies AuditEventItem[], nextCursor: page.nextCursor };
}

/** The Audit log page: filters, newest first, keyset pagination. The whole log: the procedure is for admins. */
export function listAuditEvents(_caller: Caller, input: AuditListInput): Promise<AuditPage> {
  const { cursor, limit, ...filters } = input;
  return fetchAuditPage({ filters, cursor, limit });
}

const FACETS_SHOWN = 500;

/**
 * The distinct values of a column that leads an index, read as a loose index
 * scan (one index probe per value), so it stays cheap however many events exist.
 */
async function distinctValues(column: "action" | "entity_type"): Promise<string[]> {
  const c = sql.identifier(column);
  const result = await getDb().execute<{ v: string }>(sql`
    with recursive t(v) as (
      (select ${c} from audit_events where ${c} is not null order by ${c} limit 1)
      union all
      select (select ${c} from audit_events where ${c} > t.v order by ${c} limit 1) from t where t.v is not null
    )
    select v from t where v is not null limit ${FACETS_SHOWN}`);
  return result.rows.map((r) => r.v);
}

/** The actions and entity types that occur in the log, for the page's filter pickers. */
export async function listAuditFacets(_caller: Caller): Promise<{ actions: string[]; entityTypes: string[] }> {
  const [actions, entityTypes] = await Promise.all([distinctValues("action"), distinctValues("entity_type")]);
  return { actions, entityTypes };
}
