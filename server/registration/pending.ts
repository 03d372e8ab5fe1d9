import { and, desc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { clients, emailConfirmations, partners, pendingRegistrations } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { inScope, type PartnerScope } from "../auth/policies";
import { randomDigits, randomToken, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { decodeTimeCursor, encodeTimeCursor, timeKeyOf } from "../keyset";
import { enqueueEmail } from "../mail/outbox";
import { requireActivePartner } from "../partners/partners";
import { partnerIdSchema } from "../partners/schemas";
import { canSendCode, CODE_TTL_SECONDS, codeExpiry, SANDBOX_CODE, type ConfirmationState } from "./code-lifecycle";
import { codeHashFor as emailCodeHash, confirmationLink } from "./email-confirmation";
import { codeHashFor as registrationCodeHash, refuseSend, sendHistory } from "./partner-registration";

/**
 * The back office's view of everything waiting for an emailed code: partner-API
 * step-1 registrations (pending_registrations) and white-label clients whose
 * email is unconfirmed (email_confirmations). Resending applies the same
 * cooldown and daily cap as the public endpoints; every change is audited.
 */

export const pendingKindSchema = z.enum(["registration", "email"]);
export type PendingKind = z.infer<typeof pendingKindSchema>;

export const pendingListSchema = z.object({
  partnerId: partnerIdSchema.optional(),
  kind: pendingKindSchema.optional(),
  includeExpired: z.boolean().default(false),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const pendingTargetSchema = z.object({ kind: pendingKindSchema, id: z.uuid("id must be a UUID") });

export interface PendingFilter {
  partnerId?: number;
  kind?: PendingKind;
  /** Also list confirmations whose code has expired (only the newest per address). */
  includeExpired?: boolean;
}

export interface PendingConfirmation {
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

function partnerCondition(column: typeof partners.id, scope: PartnerScope, partnerId: number | undefined): SQL | undefined {
  const conditions: SQL[] = [];
  if (scope.partnerIds !== undefined) conditions.push(inArray(column, scope.partnerIds));
  if (partnerId !== undefined) conditions.push(eq(column, partnerId));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

/** Newest first, keyset-paginated by (created_at, id) across both queues. */
export async function listPendingConfirmations(o: { scope: PartnerScope; filter?: PendingFilter; cursor?: string; limit?: number }): Promise<PendingPage> {
  const filter = o.filter ?? {};
  const limit = Math.min(Math.max(o.limit ?? 50, 1), 200);
  if (o.scope.partnerIds !== undefined && o.scope.partnerIds.length === 0) return { items: [], nextCursor: null };
  const after = o.cursor ? decodeTimeCursor(o.cursor, "uuid") : undefined;
  const now = new Date();
  const db = getDb();
  const partnerScope = partnerCondition(partners.id, o.scope, filter.partnerId);

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
        .where(and(filter.includeExpired ? or(live, latestExpired) : live, partnerScope, after ? sql`(${pr.createdAt}, ${pr.id}) < (${after.key}::timestamptz, ${after.id}::uuid)` : undefined))
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
            after ? sql`(${ec.createdAt}, ${ec.id}) < (${after.key}::timestamptz, ${after.id}::uuid)` : undefined,
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
  const merged = (await Promise.all(queries)).flat().sort((a, b) => (a.key === b.key ? (a.id < b.id ? 1 : -1) : a.key < b.key ? 1 : -1));
  const page = merged.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ key: _key, ...row }) => row),
    nextCursor: merged.length > limit && last ? encodeTimeCursor(last.key, last.id) : null,
  };
}

export interface PendingAction {
  scope: PartnerScope;
  kind: PendingKind;
  id: string;
  staff: { id: string };
  ip: string;
  requestId?: string | null;
}

export interface ResendResult {
  kind: PendingKind;
  /** The confirmation now waiting: the same id, or a fresh one for an expired email confirmation. */
  id: string;
  resendCount: number;
  expiresAt: Date;
}

const notFound = () => new AppError("not_found", "No such pending confirmation");

function refuseState(state: ConfirmationState, kind: PendingKind): AppError {
  const what = kind === "registration" ? "registration" : "email confirmation";
  const why: Record<ConfirmationState, string> = {
    pending: "",
    confirmed: `This ${what} is already confirmed`,
    cancelled: `This ${what} was cancelled`,
    locked: `This ${what} is locked after too many wrong codes${kind === "registration" ? "; the client must repeat step 1 to start again" : ""}`,
    expired: `This registration has expired; the client must repeat step 1 (POST /reg/user without a code) to get a new code`,
  };
  return new AppError("conflict", why[state], { details: { state } });
}

/** Sends a new code (and link) for a pending confirmation, within the cooldown and daily cap. */
export async function resendPendingConfirmation(o: PendingAction): Promise<ResendResult> {
  return o.kind === "registration" ? resendRegistrationCode(o) : resendEmailConfirmationAsStaff(o);
}

async function resendRegistrationCode(o: PendingAction): Promise<ResendResult> {
  const db = getDb();
  const pr = pendingRegistrations;
  const now = new Date();
  const [row] = await db.select({ partnerId: pr.partnerId, email: pr.email, state: pr.state, expiresAt: pr.expiresAt }).from(pr).where(eq(pr.id, o.id));
  if (!row || !inScope(o.scope, row.partnerId)) throw notFound();
  if (row.state !== "pending") throw refuseState(row.state, "registration");
  // The code and the password hash belong together: only the person who chose the password may restart.
  if (row.expiresAt.getTime() <= now.getTime()) throw refuseState("expired", "registration");
  const partner = await requireActivePartner(db, row.partnerId);
  // Read before the transaction, as step 1 does (the embedded database runs one transaction at a time).
  const history = (await sendHistory(partner.id, row.email, now)).history;
  const decision = canSendCode(history, now);
  if (!decision.allowed) throw refuseSend(decision);
  const code = partner.sandbox ? SANDBOX_CODE : randomDigits(6);

  return db.transaction(async (tx) => {
    const [p] = await tx
      .select({ id: pr.id, email: pr.email, state: pr.state, attempts: pr.attempts, resendCount: pr.resendCount, lastSentAt: pr.lastSentAt, expiresAt: pr.expiresAt })
      .from(pr)
      .where(eq(pr.id, o.id))
      .for("update");
    if (!p) throw notFound();
    if (p.state !== "pending") throw refuseState(p.state, "registration");
    if (p.expiresAt.getTime() <= now.getTime()) throw refuseState("expired", "registration");
    const again = canSendCode({ ...history, lastSentAt: p.lastSentAt }, now);
    if (!again.allowed) throw refuseSend(again);
    const [existingClient] = await tx
      .select({ id: clients.id })
      .from(clients)
      .where(and(eq(clients.partnerId, partner.id), sql`lower(${clients.email}) = lower(${p.email})`));
    // As in step 1: an address that already has an account gets a code nobody can know.
    const codeHash = registrationCodeHash(p.id, existingClient ? randomToken(32) : code);
    const expiresAt = codeExpiry(now);
    await tx
      .update(pr)
      .set({ codeHash, attempts: 0, resendCount: p.resendCount + 1, lastSentAt: now, expiresAt, updatedAt: now })
      .where(eq(pr.id, p.id));
    if (existingClient) {
      await enqueueEmail(tx, { template: "account_exists", to: p.email, data: { partnerName: partner.name }, partnerId: partner.id, clientId: existingClient.id });
    } else {
      await enqueueEmail(tx, { template: "registration_code", to: p.email, data: { partnerName: partner.name, code, expiresInMinutes: CODE_TTL_SECONDS / 60 }, partnerId: partner.id });
    }
    await recordAudit(tx, {
      actor: { type: "staff", id: o.staff.id },
      action: "pending.resent",
      entityType: "pending_registration",
      entityId: p.id,
      partnerId: partner.id,
      before: { resendCount: p.resendCount, attempts: p.attempts, lastSentAt: p.lastSentAt, expiresAt: p.expiresAt },
      after: { resendCount: p.resendCount + 1, attempts: 0, lastSentAt: now, expiresAt },
      ip: o.ip,
      requestId: o.requestId ?? null,
    });
    return { kind: "registration" as const, id: p.id, resendCount: p.resendCount + 1, expiresAt };
  });
}

async function resendEmailConfirmationAsStaff(o: PendingAction): Promise<ResendResult> {
  const db = getDb();
  const ec = emailConfirmations;
  const [row] = await db
    .select({ clientId: ec.clientId, partnerId: ec.partnerId, state: ec.state, email: clients.email, confirmedAt: clients.emailConfirmedAt })
    .from(ec)
    .innerJoin(clients, eq(clients.id, ec.clientId))
    .where(eq(ec.id, o.id));
  if (!row || !inScope(o.scope, row.partnerId)) throw notFound();
  if (row.confirmedAt) throw new AppError("already_confirmed", "This client's email is already confirmed");
  if (row.state !== "pending" && row.state !== "expired") throw refuseState(row.state, "email");
  const partner = await requireActivePartner(db, row.partnerId);
  const code = partner.sandbox ? SANDBOX_CODE : randomDigits(6);
  const token = randomToken(32);

  return db.transaction(async (tx) => {
    const now = new Date();
    // Every confirmation of the client, locked: they make up the send history and must not change under us.
    const all = await tx
      .select({ id: ec.id, state: ec.state, attempts: ec.attempts, resendCount: ec.resendCount, lastSentAt: ec.lastSentAt, expiresAt: ec.expiresAt, createdAt: ec.createdAt })
      .from(ec)
      .where(eq(ec.clientId, row.clientId))
      .for("update");
    const target = all.find((c) => c.id === o.id);
    if (!target) throw notFound();
    if (target.state !== "pending" && target.state !== "expired") throw refuseState(target.state, "email");
    const dayAgo = now.getTime() - 86_400_000;
    const recent = all.filter((c) => c.createdAt.getTime() > dayAgo);
    const decision = canSendCode(
      {
        lastSentAt: all.reduce<Date | undefined>((latest, c) => (!latest || c.lastSentAt > latest ? c.lastSentAt : latest), undefined),
        sendsInLastDay: recent.reduce((n, c) => n + c.resendCount + 1, 0),
        firstSendInLastDay: recent.reduce<Date | undefined>((first, c) => (!first || c.createdAt < first ? c.createdAt : first), undefined),
      },
      now,
    );
    if (!decision.allowed) throw refuseSend(decision);

    const expiresAt = codeExpiry(now);
    let id = target.id;
    let resendCount: number;
    if (target.state === "pending" && target.expiresAt.getTime() > now.getTime()) {
      resendCount = target.resendCount + 1;
      await tx
        .update(ec)
        .set({ codeHash: emailCodeHash(row.clientId, code), linkTokenHash: sha256Hex(token), attempts: 0, resendCount, lastSentAt: now, expiresAt, updatedAt: now })
        .where(eq(ec.id, target.id));
    } else {
      // Expired: close it and open a fresh confirmation, as the public resend does.
      if (all.some((c) => c.state === "pending" && c.id !== target.id)) {
        throw new AppError("conflict", "A newer confirmation is open for this client; resend that one", { details: { state: target.state } });
      }
      if (target.state === "pending") await tx.update(ec).set({ state: "expired", updatedAt: now }).where(eq(ec.id, target.id));
      resendCount = 0;
      const [fresh] = await tx
        .insert(ec)
        .values({ clientId: row.clientId, partnerId: partner.id, codeHash: emailCodeHash(row.clientId, code), linkTokenHash: sha256Hex(token), expiresAt, lastSentAt: now })
        .returning({ id: ec.id });
      id = fresh!.id;
    }
    await enqueueEmail(tx, {
      template: "email_confirmation",
      to: row.email,
      data: { partnerName: partner.name, code, link: confirmationLink(token) },
      partnerId: partner.id,
      clientId: row.clientId,
    });
    await recordAudit(tx, {
      actor: { type: "staff", id: o.staff.id },
      action: "pending.resent",
      entityType: "email_confirmation",
      entityId: target.id,
      partnerId: partner.id,
      before: { state: target.state, resendCount: target.resendCount, attempts: target.attempts, lastSentAt: target.lastSentAt, expiresAt: target.expiresAt },
      after: id === target.id ? { state: "pending", resendCount, attempts: 0, lastSentAt: now, expiresAt } : { state: "expired", freshConfirmationId: id, expiresAt },
      ip: o.ip,
      requestId: o.requestId ?? null,
    });
    return { kind: "email" as const, id, resendCount, expiresAt };
  });
}

/** Withdraws a pending confirmation: its code stops working at once. */
export async function cancelPendingConfirmation(o: PendingAction): Promise<{ kind: PendingKind; id: string; state: "cancelled" }> {
  const table = o.kind === "registration" ? pendingRegistrations : emailConfirmations;
  return getDb().transaction(async (tx) => {
    const [row] = await tx
      .select({ id: table.id, partnerId: table.partnerId, state: table.state, attempts: table.attempts, resendCount: table.resendCount, expiresAt: table.expiresAt })
      .from(table)
      .where(eq(table.id, o.id))
      .for("update");
    if (!row || !inScope(o.scope, row.partnerId)) throw notFound();
    if (row.state !== "pending") {
      throw new AppError("conflict", `Only a pending confirmation can be cancelled; this one is ${row.state}`, { details: { state: row.state } });
    }
    const now = new Date();
    await tx.update(table).set({ state: "cancelled", updatedAt: now }).where(eq(table.id, row.id));
    await recordAudit(tx, {
      actor: { type: "staff", id: o.staff.id },
      action: "pending.cancelled",
      entityType: o.kind === "registration" ? "pending_registration" : "email_confirmation",
      entityId: row.id,
      partnerId: row.partnerId,
      before: { state: row.state, attempts: row.attempts, resendCount: row.resendCount, expiresAt: row.expiresAt },
      after: { state: "cancelled" },
      ip: o.ip,
      requestId: o.requestId ?? null,
    });
    return { kind: o.kind, id: row.id, state: "cancelled" as const };
  });
}
