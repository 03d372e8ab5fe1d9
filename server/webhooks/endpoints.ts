import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Executor } from "../../db/client";
import type { WebhookEventType } from "../../db/enums";
import { partners, webhookAttempts, webhookEndpoints, webhookMessages } from "../../db/schema";
import { config } from "../../env";
import { recordAudit } from "../audit/record";
import { inScope, mayManagePartner } from "../auth/policies";
import { scopeOf, type Caller } from "../caller";
import { sealSecret } from "../crypto";
import { AppError } from "../errors";
import { cursorCodec, timeKeyOf, timeKeySchema } from "../keyset";
import { runningJob } from "../jobs/runner";
import { enqueueTestMessage, SECRET_PURPOSE, WEBHOOK_JOB } from "./deliveries";
import { destinationProblem } from "./outbound";
import {
  addEndpointSchema,
  deliveryListSchema,
  endpointTargetSchema,
  MAX_ENDPOINTS_PER_PARTNER,
  MESSAGE_ID,
  messageTargetSchema,
  updateEndpointSchema,
  type AddEndpointInput,
  type DeliveryListInput,
  type EndpointTarget,
  type MessageTarget,
  type UpdateEndpointInput,
} from "./schemas";
import { newWebhookSecret } from "./signing";

/**
 * A partner's webhook endpoints, managed by whoever manages the partner (its
 * KAM, an admin; the CLI as the system): add (the secret is in the answer
 * this once), list, change, rotate the secret, remove; and per endpoint the
 * delivery log, a resend of one message and a test event. Every change locks
 * the partner row first (decision 0008), so a concurrent reassignment cannot
 * slip a change through and two additions cannot both take the fifth place.
 */

/** After a rotation the old secret keeps signing this long, so receivers can switch without a gap. */
const PREVIOUS_SECRET_VALID_MS = 24 * 60 * 60 * 1000;

const noSuchPartner = () => new AppError("not_found", "No such partner");
const noSuchEndpoint = () => new AppError("not_found", "No such webhook endpoint");
const noSuchMessage = () => new AppError("not_found", "No such webhook message");

/** Staff manage the partners they may (their own as a KAM, any as an admin); the system (the CLI) every partner; nobody else any. */
function mayManage(caller: Caller, ownerStaffId: string | null): boolean {
  if (caller.actor.type === "system") return true;
  if (caller.actor.type === "staff") return mayManagePartner(caller.actor, ownerStaffId);
  return false;
}

/**
 * The partner, if the caller manages it; locked for the rest of the
 * transaction when `lock` is given. Partners outside the caller's reach do not
 * exist for them (not found, as for the partner's other pages).
 */
async function managedPartner(db: Executor, caller: Caller, partnerId: number, lock?: "update" | "share") {
  if (!inScope(scopeOf(caller), partnerId)) throw noSuchPartner();
  const query = db
    .select({ id: partners.id, ownerStaffId: partners.ownerStaffId })
    .from(partners)
    .where(eq(partners.id, partnerId));
  const [row] = lock ? await query.for(lock) : await query;
  if (!row || !mayManage(caller, row.ownerStaffId)) throw noSuchPartner();
  return row;
}

/** Why the URL cannot be saved, as a field error; the name's addresses are checked again at every connection. */
function checkUrl(url: string): void {
  const problem = destinationProblem(url, config().WEBHOOK_ALLOW_PRIVATE_URLS === "1");
  if (problem) throw AppError.field("validation_failed", "url", `Refused: ${problem}`);
}

const endpointColumns = {
  id: webhookEndpoints.id,
  partnerId: webhookEndpoints.partnerId,
  url: webhookEndpoints.url,
  eventTypes: webhookEndpoints.eventTypes,
  enabled: webhookEndpoints.enabled,
  disabledReason: webhookEndpoints.disabledReason,
  failingSince: webhookEndpoints.failingSince,
  previousSecretUntil: webhookEndpoints.previousSecretUntil,
  createdAt: webhookEndpoints.createdAt,
  updatedAt: webhookEndpoints.updatedAt,
};

/**
 * The endpoint (not removed), its partner managed by the caller and locked for
 * share (the owner cannot change under us), and the endpoint locked for update.
 */
async function lockEndpoint(tx: Executor, caller: Caller, endpointId: string) {
  const [found] = await tx
    .select({ partnerId: webhookEndpoints.partnerId })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), isNull(webhookEndpoints.removedAt)));
  if (!found) throw noSuchEndpoint();
  // Partner first, then endpoint: every change takes the locks in this order.
  await managedPartner(tx, caller, found.partnerId, "share");
  const [endpoint] = await tx
    .select(endpointColumns)
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), isNull(webhookEndpoints.removedAt)))
    .for("update");
  if (!endpoint) throw noSuchEndpoint();
  return endpoint;
}

const wake = () => runningJob(WEBHOOK_JOB)?.wake();

export interface AddedEndpoint {
  id: string;
  partnerId: number;
  url: string;
  eventTypes: string[];
  /** `whsec_…`: in this answer only; stored sealed, never listed. */
  secret: string;
}

/** Adds an endpoint (at most five per partner) with a new secret, returned this once. */
export async function addWebhookEndpoint(caller: Caller, input: AddEndpointInput): Promise<AddedEndpoint> {
  const { partnerId, url, eventTypes } = addEndpointSchema.parse(input);
  checkUrl(url);
  return getDb().transaction(async (tx) => {
    // For update: two additions at once are serialised here, so the count below is the truth.
    await managedPartner(tx, caller, partnerId, "update");
    const [{ count } = { count: 0 }] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.partnerId, partnerId), isNull(webhookEndpoints.removedAt)));
    if (count >= MAX_ENDPOINTS_PER_PARTNER) {
      throw AppError.field(
        "conflict",
        "url",
        `A partner has at most ${MAX_ENDPOINTS_PER_PARTNER} webhook endpoints; remove one first`,
      );
    }
    const secret = newWebhookSecret();
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        partnerId,
        url,
        eventTypes,
        secretSealed: sealSecret(SECRET_PURPOSE, secret),
        createdByStaffId: caller.actor.type === "staff" ? caller.actor.id : null,
      })
      .returning({ id: webhookEndpoints.id });
    await recordAudit(tx, caller, {
      action: "webhook.endpoint_created",
      entityType: "webhook_endpoint",
      entityId: row!.id,
      partnerId,
      after: { url, eventTypes },
    });
    return { id: row!.id, partnerId, url, eventTypes, secret };
  });
}

/** A partner's endpoints, oldest first, with what waits in each one's queue. Secrets are never listed. */
export async function listWebhookEndpoints(caller: Caller, input: { partnerId: number }) {
  const { partnerId } = z.object({ partnerId: addEndpointSchema.shape.partnerId }).parse(input);
  const db = getDb();
  await managedPartner(db, caller, partnerId);
  const rows = await db
    .select({
      ...endpointColumns,
      waiting: sql<number>`(select count(*)::int from webhook_messages m where m.endpoint_id = webhook_endpoints.id and m.status in ('pending', 'sending'))`,
      failed: sql<number>`(select count(*)::int from webhook_messages m where m.endpoint_id = webhook_endpoints.id and m.status = 'failed')`,
    })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.partnerId, partnerId), isNull(webhookEndpoints.removedAt)))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
  const now = Date.now();
  return rows.map(({ previousSecretUntil, ...row }) => ({
    ...row,
    eventTypes: row.eventTypes as WebhookEventType[],
    /** While the rotated-out secret still signs (24 h after a rotation). */
    previousSecretValidUntil: previousSecretUntil && previousSecretUntil.getTime() > now ? previousSecretUntil : null,
  }));
}

/**
 * Changes an endpoint's URL, event types or enabled flag; only what differs
 * is written and audited. Enabling an endpoint the worker disabled starts its
 * failure count afresh.
 */
export async function updateWebhookEndpoint(caller: Caller, input: UpdateEndpointInput) {
  const { endpointId, ...wanted } = updateEndpointSchema.parse(input);
  if (wanted.url !== undefined) checkUrl(wanted.url);
  return getDb().transaction(async (tx) => {
    const endpoint = await lockEndpoint(tx, caller, endpointId);
    const patch: Partial<Pick<typeof webhookEndpoints.$inferInsert, "url" | "eventTypes" | "enabled">> = {};
    if (wanted.url !== undefined && wanted.url !== endpoint.url) patch.url = wanted.url;
    if (wanted.eventTypes !== undefined && wanted.eventTypes.join() !== [...endpoint.eventTypes].sort().join())
      patch.eventTypes = wanted.eventTypes;
    if (wanted.enabled !== undefined && wanted.enabled !== endpoint.enabled) patch.enabled = wanted.enabled;
    const changed = Object.keys(patch) as (keyof typeof patch)[];
    if (changed.length === 0) return { id: endpointId, changed };
    const before = Object.fromEntries(changed.map((key) => [key, endpoint[key]]));
    // Enabled again by staff: the failure clock starts afresh. Disabled by staff: say so, not "failing".
    const reason =
      patch.enabled === true
        ? { disabledReason: null, failingSince: null }
        : patch.enabled === false
          ? { disabledReason: "staff" }
          : {};
    await tx
      .update(webhookEndpoints)
      .set({ ...patch, ...reason, updatedAt: new Date() })
      .where(eq(webhookEndpoints.id, endpointId));
    await recordAudit(tx, caller, {
      action: "webhook.endpoint_updated",
      entityType: "webhook_endpoint",
      entityId: endpointId,
      partnerId: endpoint.partnerId,
      before,
      after: patch,
    });
    if (patch.enabled === true) wake();
    return { id: endpointId, changed };
  });
}

/**
 * A new secret for the endpoint, returned this once. The old one keeps
 * signing beside it for 24 hours (each delivery carries both signatures), so
 * the receiver can switch without refusing a message.
 */
export async function rotateWebhookSecret(caller: Caller, input: EndpointTarget) {
  const { endpointId } = endpointTargetSchema.parse(input);
  return getDb().transaction(async (tx) => {
    const endpoint = await lockEndpoint(tx, caller, endpointId);
    const secret = newWebhookSecret();
    const previousValidUntil = new Date(Date.now() + PREVIOUS_SECRET_VALID_MS);
    await tx
      .update(webhookEndpoints)
      .set({
        previousSecretSealed: sql`${webhookEndpoints.secretSealed}`,
        previousSecretUntil: previousValidUntil,
        secretSealed: sealSecret(SECRET_PURPOSE, secret),
        updatedAt: new Date(),
      })
      .where(eq(webhookEndpoints.id, endpointId));
    await recordAudit(tx, caller, {
      action: "webhook.secret_rotated",
      entityType: "webhook_endpoint",
      entityId: endpointId,
      partnerId: endpoint.partnerId,
      after: { previousValidUntil },
    });
    return { id: endpointId, secret, previousValidUntil };
  });
}

/**
 * Removes an endpoint: nothing more is queued for it or sent to it, and what
 * was waiting is marked failed. The row and its log stay, for the audit trail.
 */
export async function removeWebhookEndpoint(caller: Caller, input: EndpointTarget) {
  const { endpointId } = endpointTargetSchema.parse(input);
  return getDb().transaction(async (tx) => {
    const endpoint = await lockEndpoint(tx, caller, endpointId);
    const now = new Date();
    await tx
      .update(webhookEndpoints)
      .set({ removedAt: now, enabled: false, updatedAt: now })
      .where(eq(webhookEndpoints.id, endpointId));
    const dropped = await tx
      .update(webhookMessages)
      .set({ status: "failed", claimedUntil: null, lastError: "the endpoint was removed" })
      .where(and(eq(webhookMessages.endpointId, endpointId), inArray(webhookMessages.status, ["pending", "sending"])))
      .returning({ id: webhookMessages.id });
    await recordAudit(tx, caller, {
      action: "webhook.endpoint_removed",
      entityType: "webhook_endpoint",
      entityId: endpointId,
      partnerId: endpoint.partnerId,
      before: { url: endpoint.url, eventTypes: endpoint.eventTypes },
      after: { undelivered: dropped.length },
    });
    return { id: endpointId, undelivered: dropped.length };
  });
}

/** Queues a `webhook.test` message to the endpoint, delivered (and logged) like any other. */
export async function sendTestWebhook(caller: Caller, input: EndpointTarget) {
  const { endpointId } = endpointTargetSchema.parse(input);
  return getDb().transaction(async (tx) => {
    const endpoint = await lockEndpoint(tx, caller, endpointId);
    if (!endpoint.enabled)
      throw new AppError("conflict", "The endpoint is disabled; enable it to send it a test event");
    const messageId = await enqueueTestMessage(tx, { endpointId, partnerId: endpoint.partnerId });
    await recordAudit(tx, caller, {
      action: "webhook.test_sent",
      entityType: "webhook_endpoint",
      entityId: endpointId,
      partnerId: endpoint.partnerId,
      after: { messageId },
    });
    return { messageId };
  });
}

/**
 * Sends a message again now, under the same webhook-id, whatever became of it
 * (delivered, retrying, given up): the receiver can tell it is the same
 * message. A failing attempt is retried while the message's 72 hours last.
 */
export async function resendWebhookMessage(caller: Caller, input: MessageTarget) {
  const { messageId } = messageTargetSchema.parse(input);
  return getDb().transaction(async (tx) => {
    const [found] = await tx
      .select({ endpointId: webhookMessages.endpointId })
      .from(webhookMessages)
      .where(eq(webhookMessages.id, messageId));
    if (!found) throw noSuchMessage();
    const endpoint = await lockEndpoint(tx, caller, found.endpointId).catch((error: unknown) => {
      // A message of an endpoint out of reach does not exist either.
      throw error instanceof AppError && error.code === "not_found" ? noSuchMessage() : error;
    });
    if (!endpoint.enabled) throw new AppError("conflict", "The endpoint is disabled; enable it to resend its messages");
    const now = new Date();
    const [message] = await tx
      .select({
        status: webhookMessages.status,
        claimedUntil: webhookMessages.claimedUntil,
        eventType: webhookMessages.eventType,
      })
      .from(webhookMessages)
      .where(eq(webhookMessages.id, messageId))
      .for("update");
    if (message!.status === "sending" && message!.claimedUntil && message!.claimedUntil > now) {
      throw new AppError("conflict", "The message is being delivered right now; wait for the attempt to finish");
    }
    await tx
      .update(webhookMessages)
      .set({ status: "pending", nextAttemptAt: now, claimedUntil: null })
      .where(eq(webhookMessages.id, messageId));
    await recordAudit(tx, caller, {
      action: "webhook.message_resent",
      entityType: "webhook_message",
      entityId: messageId,
      partnerId: endpoint.partnerId,
      before: { status: message!.status },
      after: { status: "pending", endpointId: endpoint.id, eventType: message!.eventType },
    });
    wake();
    return { messageId };
  });
}

const deliveryCursor = cursorCodec(z.strictObject({ k: timeKeySchema, id: z.string().regex(MESSAGE_ID) }));

/**
 * An endpoint's delivery log, newest message first: each message's event,
 * status, attempts (status code, duration, error of each) and next attempt.
 * Keyset-paginated on (created_at, id).
 */
export async function listWebhookDeliveries(caller: Caller, input: DeliveryListInput) {
  const { endpointId, cursor, limit } = deliveryListSchema.parse(input);
  const db = getDb();
  const [endpoint] = await db
    .select({ partnerId: webhookEndpoints.partnerId })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, endpointId));
  if (!endpoint) throw noSuchEndpoint();
  await managedPartner(db, caller, endpoint.partnerId).catch((error: unknown) => {
    throw error instanceof AppError && error.code === "not_found" ? noSuchEndpoint() : error;
  });
  const after = cursor === undefined ? undefined : deliveryCursor.decode(cursor);
  const conditions: SQL[] = [eq(webhookMessages.endpointId, endpointId)];
  if (after)
    conditions.push(
      sql`(${webhookMessages.createdAt}, ${webhookMessages.id}) < (${after.k}::timestamptz, ${after.id})`,
    );
  const rows = await db
    .select({
      id: webhookMessages.id,
      eventType: webhookMessages.eventType,
      status: webhookMessages.status,
      attemptCount: webhookMessages.attempts,
      lastStatusCode: webhookMessages.lastStatusCode,
      lastError: webhookMessages.lastError,
      nextAttemptAt: webhookMessages.nextAttemptAt,
      createdAt: webhookMessages.createdAt,
      deliveredAt: webhookMessages.deliveredAt,
      sortKey: timeKeyOf(webhookMessages.createdAt),
    })
    .from(webhookMessages)
    .where(and(...conditions))
    .orderBy(desc(webhookMessages.createdAt), desc(webhookMessages.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const attempts =
    page.length === 0
      ? []
      : await db
          .select({
            messageId: webhookAttempts.messageId,
            attempt: webhookAttempts.attempt,
            attemptedAt: webhookAttempts.attemptedAt,
            statusCode: webhookAttempts.statusCode,
            durationMs: webhookAttempts.durationMs,
            error: webhookAttempts.error,
          })
          .from(webhookAttempts)
          .where(
            inArray(
              webhookAttempts.messageId,
              page.map((m) => m.id),
            ),
          )
          .orderBy(asc(webhookAttempts.id));
  const last = page.at(-1);
  return {
    items: page.map(({ sortKey: _sortKey, nextAttemptAt, ...m }) => ({
      ...m,
      // Only a message still waiting has a next attempt.
      nextAttemptAt: m.status === "pending" ? nextAttemptAt : null,
      attempts: attempts.filter((a) => a.messageId === m.id).map(({ messageId: _messageId, ...a }) => a),
    })),
    nextCursor: rows.length > limit && last ? deliveryCursor.encode({ k: last.sortKey, id: last.id }) : null,
  };
}

/** What waits in the webhook outbox of every partner, and the endpoints given up on: the Outbox page shows it beside the emails. */
export async function webhookBacklog(_caller: Caller) {
  const db = getDb();
  // Both counts read small sets: the due index covers waiting messages, and endpoints are a handful per partner.
  const [waiting] = await db
    .select({
      waiting: sql<number>`count(*)::int`,
      retrying: sql<number>`(count(*) filter (where ${webhookMessages.attempts} > 0))::int`,
      oldestSince: sql<Date | null>`min(${webhookMessages.createdAt})`.mapWith((v: string | null) =>
        v === null ? null : new Date(v),
      ),
    })
    .from(webhookMessages)
    .where(inArray(webhookMessages.status, ["pending", "sending"]));
  const [disabled] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.enabled, false),
        eq(webhookEndpoints.disabledReason, "failing"),
        isNull(webhookEndpoints.removedAt),
      ),
    );
  return {
    waiting: waiting?.waiting ?? 0,
    retrying: waiting?.retrying ?? 0,
    oldestWaitingSince: waiting?.oldestSince ?? null,
    endpointsDisabled: disabled?.count ?? 0,
  };
}
