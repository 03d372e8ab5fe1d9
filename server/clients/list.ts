import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { clients, partners } from "../../db/schema";
import type { PartnerScope } from "../auth/policies";
import { scopeOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { cursorCodec, timeKeySchema, timeKeyOf, uuidKeySchema } from "../keyset";
import { type ClientFilters, type ClientListInput, type ClientSort } from "./schemas";
import type { CLIENT_ORIGINS, ClientState, VerificationStatus } from "../../db/enums";

/** What the list, the page and the CSV export show of a client: display columns only. */
export interface ClientListItem {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  partnerId: number;
  partnerName: string;
  profileState: ClientState;
  verificationStatus: VerificationStatus;
  verificationLevel: number;
  countryCode: string | null;
  createdAt: Date;
  createdVia: (typeof CLIENT_ORIGINS)[number];
  /**
   * When the client last changed, as UTC text to the microsecond (the database's precision): a bulk
   * action sends it back as the version staff saw, and a JavaScript Date would round it to milliseconds.
   */
  updatedAt: string;
}

export interface ClientPage {
  items: ClientListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * The sort key as the database compares it. created_at travels as UTC text with
 * microseconds: a JavaScript Date keeps only milliseconds, and a cursor rounded
 * to them would skip rows. Emails are compared lower-cased, byte-wise (C collation),
 * which is what clients_email_sort_idx is built with.
 */
const createdKey = timeKeyOf(clients.createdAt);
const emailKey = sql<string>`lower(${clients.email}) collate "C"`;

/** The sort travels in the cursor: a page of one order is never continued in another. Email keys are text, the others time keys. */
const clientCursor = cursorCodec(
  z.union([
    z.strictObject({ s: z.enum(["created_desc", "created_asc"]), k: timeKeySchema, id: uuidKeySchema }),
    z.strictObject({ s: z.literal("email_asc"), k: z.string().max(400), id: uuidKeySchema }),
  ]),
);
type Cursor = ReturnType<typeof clientCursor.decode>;

function decodeCursor(raw: string, sort: ClientSort): Cursor {
  const cursor = clientCursor.decode(raw);
  if (cursor.s !== sort)
    throw AppError.field(
      "invalid_request",
      "cursor",
      "The cursor is not valid for this list; start again from the first page",
    );
  return cursor;
}

/** Escapes LIKE wildcards in user input so "50%_off" matches literally (backslash is the default escape). */
function likePrefix(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const nextDay = (isoDate: string) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + 86_400_000);

/**
 * Every condition is written in the shape of an index on clients: prefix LIKE
 * on lower(...) expressions (text_pattern_ops), equality on the filter columns,
 * and a row comparison on the sort key, so a page costs the same on page 1 and
 * page 10,000.
 */
function conditionsFor(
  scope: PartnerScope,
  filters: ClientFilters,
  after: Cursor | undefined,
  ids?: readonly string[],
): SQL[] | undefined {
  const where: SQL[] = [];
  if (ids !== undefined) {
    if (ids.length === 0) return undefined;
    where.push(inArray(clients.id, [...ids]));
  }
  if (scope.partnerIds !== undefined) {
    if (scope.partnerIds.length === 0) return undefined;
    if (filters.partnerId !== undefined && !scope.partnerIds.includes(filters.partnerId)) return undefined;
    if (filters.partnerId === undefined) where.push(inArray(clients.partnerId, scope.partnerIds));
  }
  if (filters.partnerId !== undefined) where.push(eq(clients.partnerId, filters.partnerId));
  const q = filters.q?.trim();
  if (q) {
    const pattern = likePrefix(q);
    where.push(
      or(
        sql`lower(${clients.email}) like ${pattern}`,
        sql`lower(coalesce(${clients.firstName}, '') || ' ' || coalesce(${clients.lastName}, '')) like ${pattern}`,
        sql`lower(${clients.lastName}) like ${pattern}`,
      )!,
    );
  }
  if (filters.state) where.push(eq(clients.profileState, filters.state));
  if (filters.verificationStatus) where.push(eq(clients.verificationStatus, filters.verificationStatus));
  if (filters.verificationLevel !== undefined) where.push(eq(clients.verificationLevel, filters.verificationLevel));
  if (filters.countryCode) where.push(eq(clients.countryCode, filters.countryCode));
  if (filters.createdFrom) where.push(gte(clients.createdAt, new Date(`${filters.createdFrom}T00:00:00Z`)));
  if (filters.createdTo) where.push(lt(clients.createdAt, nextDay(filters.createdTo)));
  if (after) {
    if (filters.sort === "created_desc")
      where.push(sql`(${clients.createdAt}, ${clients.id}) < (${after.k}::timestamptz, ${after.id}::uuid)`);
    else if (filters.sort === "created_asc")
      where.push(sql`(${clients.createdAt}, ${clients.id}) > (${after.k}::timestamptz, ${after.id}::uuid)`);
    else
      where.push(
        sql`(lower(${clients.email}) collate "C", ${clients.id}) > (${after.k} collate "C", ${after.id}::uuid)`,
      );
  }
  return where;
}

function orderFor(sort: ClientSort): SQL[] {
  if (sort === "created_desc") return [desc(clients.createdAt), desc(clients.id)];
  if (sort === "created_asc") return [asc(clients.createdAt), asc(clients.id)];
  return [asc(emailKey), asc(clients.id)];
}

/** The query behind a page, exposed so the index checks can EXPLAIN exactly what runs. */
function clientPageQuery(where: SQL[], sort: ClientSort, limit: number) {
  return getDb()
    .select({
      id: clients.id,
      email: clients.email,
      firstName: clients.firstName,
      lastName: clients.lastName,
      partnerId: clients.partnerId,
      partnerName: partners.name,
      profileState: clients.profileState,
      verificationStatus: clients.verificationStatus,
      verificationLevel: clients.verificationLevel,
      countryCode: clients.countryCode,
      createdAt: clients.createdAt,
      createdVia: clients.createdVia,
      updatedAt: timeKeyOf(clients.updatedAt),
      sortKey: sort === "email_asc" ? sql<string>`lower(${clients.email})` : createdKey,
    })
    .from(clients)
    .innerJoin(partners, eq(partners.id, clients.partnerId))
    .where(and(...where))
    .orderBy(...orderFor(sort))
    .limit(limit);
}

/**
 * One keyset page: rows strictly after the cursor in the sort order, plus one
 * extra row to learn whether another page exists. Never OFFSET: its cost grows
 * with the page number.
 */
export async function fetchClientPage(o: {
  scope: PartnerScope;
  filters: ClientFilters;
  cursor?: string | null;
  limit: number;
  /** Only these clients (a picked selection), still within the scope and the filters. */
  ids?: readonly string[];
}): Promise<ClientPage> {
  const after = o.cursor ? decodeCursor(o.cursor, o.filters.sort) : undefined;
  const where = conditionsFor(o.scope, o.filters, after, o.ids);
  if (!where) return { items: [], nextCursor: null };
  const rows = await clientPageQuery(where, o.filters.sort, o.limit + 1);
  const hasMore = rows.length > o.limit;
  const page = hasMore ? rows.slice(0, o.limit) : rows;
  const last = page[page.length - 1];
  const items: ClientListItem[] = page.map(({ sortKey: _sortKey, ...item }) => item);
  return {
    items,
    nextCursor: hasMore && last ? clientCursor.encode({ s: o.filters.sort, k: last.sortKey, id: last.id }) : null,
  };
}

/**
 * The statement `listClients` runs for this input (undefined when the scope
 * leaves nothing to read), for EXPLAIN and for comparing with raw SQL.
 */
export function clientListStatement(caller: Caller, input: ClientListInput) {
  const { cursor, limit, ...filters } = input;
  const where = conditionsFor(scopeOf(caller), filters, cursor ? decodeCursor(cursor, filters.sort) : undefined);
  return where ? clientPageQuery(where, filters.sort, limit + 1).toSQL() : undefined;
}

/**
 * The conditions a filter-wide selection is made with: exactly the list's,
 * without a cursor; undefined when the scope leaves nothing to select.
 */
export function clientFilterConditions(scope: PartnerScope, filters: ClientFilters): SQL | undefined {
  const where = conditionsFor(scope, filters, undefined);
  return where ? (and(...where) ?? sql`true`) : undefined;
}

/** How many clients the list's filters match (the "select all N" of the Clients page; asked for, never on every page). */
export async function countClients(caller: Caller, filters: ClientFilters): Promise<{ count: number }> {
  const where = clientFilterConditions(scopeOf(caller), filters);
  if (!where) return { count: 0 };
  const [row] = await getDb()
    .select({ count: sql<number>`count(*)::int` })
    .from(clients)
    .where(where);
  return { count: row?.count ?? 0 };
}

/** The back-office client list: search, filters, sort, keyset pagination, limited to the staff member's partners. */
export function listClients(caller: Caller, input: ClientListInput): Promise<ClientPage> {
  const { cursor, limit, ...filters } = input;
  return fetchClientPage({ scope: scopeOf(caller), filters, cursor, limit });
}
