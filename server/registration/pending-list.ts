import { and, desc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { getDb } from "../../db/client";
import { clients, emailConfirmations, partners, pendingRegistrations } from "../../db/schema";
import type { PartnerScope } from "../auth/policies";
import { scopeOf, type Caller } from "../caller";
import { timeCursor, timeKeyOf } from "../keyset";
import { SANDBOX_CODE } from "./code-lifecycle";
import type { PendingKind, pendingListSchema } from "./schemas";

/**
 * The back office's queue of everything waiting for an emailed code, newest
 * first: partner-API step-1 registrations (pending_registrations) and
 * white-label clients whose email is unconfirmed (email_confirmations), one
 * query each, merged into one keyset-paginated list.
 */

interface PendingConfirmation {
  kind: PendingKind;
  id: string;
  partner: { id: number; name: string; sandbox: boolean };
  email: string;
  /** The white-label client waiting to confirm; null for partner-API registrations (no client yet). */
  clientId: string | null;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
  attempts: number;
  resendCount: number;
  lastSentAt: Date;
  /** Sandbox partners' fixed code; null when the partner is live or the code cannot work. */
  sandboxCode: string | null;
  /** Partner API only: the address already has an account, so it was sent an "account exists" email and no usable code. */
  alreadyClient: boolean;
}

export interface PendingPage {
  items: PendingConfirmation[];
  nextCursor: string | null;
}

function partnerCondition(
  column: typeof partners.id,
  scope: PartnerScope,
  partnerId: number | undefined,
): SQL | undefined {
  const conditions: SQL[] = [];
  if (scope.partnerIds !== undefined) conditions.push(inArray(column, scope.partnerIds));
  if (partnerId !== undefined) conditions.push(eq(column, partnerId));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

/**
 * Newest first, keyset-paginated by (created_at, id) across both queues, within
 * the caller's partners. `includeExpired` also lists confirmations whose code
 * has expired (only the newest per address).
 */
export async function listPendingConfirmations(
  caller: Caller,
  input: z.output<typeof pendingListSchema>,
): Promise<PendingPage> {
  const { cursor, limit, ...filter } = input;
  const scope = scopeOf(caller);
  if (scope.partnerIds !== undefined && scope.partnerIds.length === 0) return { items: [], nextCursor: null };
  const after = cursor ? timeCursor.uuid.decode(cursor) : undefined;
  const now = new Date();
  const db = getDb();
  const partnerScope = partnerCondition(partners.id, scope, filter.partnerId);

  type Keyed = PendingConfirmation & { key: string };
  const queries: Array<Promise<Keyed[]>> = [];

  if (filter.kind !== "email") {
    const pr = pendingRegistrations;
    const live = and(eq(pr.state, "pending"), gt(pr.expiresAt, now));
    // An expired registration is worth showing only while nothing newer exists for the address.
    const latestExpired = and(
      or(eq(pr.state, "expired"), and(eq(pr.state, "pending"), lte(pr.expiresAt, now))),
      sql`not exists (select 1 from ${pr} newer where newer.partner_id = ${pr.partnerId} and lower(newer.email) = lower(${pr.email}) and newer.created_at > ${pr.createdAt})`,
    );
    queries.push(
      db
        .select({
          id: pr.id,
          partnerId: partners.id,
          partnerName: partners.name,
          sandbox: partners.sandbox,
          email: pr.email,
          state: pr.state,
          createdAt: pr.createdAt,
          expiresAt: pr.expiresAt,
          attempts: pr.attempts,
          resendCount: pr.resendCount,
          lastSentAt: pr.lastSentAt,
          alreadyClient: sql<boolean>`exists (select 1 from ${clients} where ${clients.partnerId} = ${pr.partnerId} and lower(${clients.email}) = lower(${pr.email}))`,
          key: timeKeyOf(pr.createdAt),
        })
        .from(pr)
        .innerJoin(partners, eq(partners.id, pr.partnerId))
        .where(
          and(
            filter.includeExpired ? or(live, latestExpired) : live,
            partnerScope,
            after ? sql`(${pr.createdAt}, ${pr.id}) < (${after.k}::timestamptz, ${after.id}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(pr.createdAt), desc(pr.id))
        .limit(limit + 1)
        .then((rows) =>
          rows.map((r) => ({
            kind: "registration" as const,
            id: r.id,
            partner: { id: r.partnerId, name: r.partnerName, sandbox: r.sandbox },
            email: r.email,
            clientId: null,
            createdAt: r.createdAt,
            expiresAt: r.expiresAt,
            expired: r.state === "expired" || r.expiresAt.getTime() <= now.getTime(),
            attempts: r.attempts,
            resendCount: r.resendCount,
            lastSentAt: r.lastSentAt,
            sandboxCode: r.sandbox && !r.alreadyClient ? SANDBOX_CODE : null,
            alreadyClient: r.alreadyClient,
            key: r.key,
          })),
        ),
    );
  }

  if (filter.kind !== "registration") {
    const ec = emailConfirmations;
    const live = and(eq(ec.state, "pending"), gt(ec.expiresAt, now));
    const latestExpired = and(
      or(eq(ec.state, "expired"), and(eq(ec.state, "pending"), lte(ec.expiresAt, now))),
      sql`not exists (select 1 from ${ec} newer where newer.client_id = ${ec.clientId} and newer.created_at > ${ec.createdAt})`,
    );
    queries.push(
      db
        .select({
          id: ec.id,
          clientId: ec.clientId,
          partnerId: partners.id,
          partnerName: partners.name,
          sandbox: partners.sandbox,
          email: clients.email,
          state: ec.state,
          createdAt: ec.createdAt,
          expiresAt: ec.expiresAt,
          attempts: ec.attempts,
          resendCount: ec.resendCount,
          lastSentAt: ec.lastSentAt,
          key: timeKeyOf(ec.createdAt),
        })
        .from(ec)
        .innerJoin(clients, eq(clients.id, ec.clientId))
        .innerJoin(partners, eq(partners.id, ec.partnerId))
        .where(
          and(
            filter.includeExpired ? or(live, latestExpired) : live,
            isNull(clients.emailConfirmedAt),
            partnerScope,
            after ? sql`(${ec.createdAt}, ${ec.id}) < (${after.k}::timestamptz, ${after.id}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(ec.createdAt), desc(ec.id))
        .limit(limit + 1)
        .then((rows) =>
          rows.map((r) => ({
            kind: "email" as const,
            id: r.id,
            partner: { id: r.partnerId, name: r.partnerName, sandbox: r.sandbox },
            email: r.email,
            clientId: r.clientId,
            createdAt: r.createdAt,
            expiresAt: r.expiresAt,
            expired: r.state === "expired" || r.expiresAt.getTime() <= now.getTime(),
            attempts: r.attempts,
            resendCount: r.resendCount,
            lastSentAt: r.lastSentAt,
            sandboxCode: r.sandbox ? SANDBOX_CODE : null,
            alreadyClient: false,
            key: r.key,
          })),
        ),
    );
  }

  // Each queue returned its own first limit+1 rows after the cursor; the page is the first `limit` of both.
  const merged = (await Promise.all(queries))
    .flat()
    .sort((a, b) => (a.key === b.key ? (a.id < b.id ? 1 : -1) : a.key < b.key ? 1 : -1));
  const page = merged.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ key: _key, ...row }) => row),
    nextCursor: merged.length > limit && last ? timeCursor.uuid.encode({ k: last.key, id: last.id }) : null,
  };
}
