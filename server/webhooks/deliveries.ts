import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import type { WebhookEventType } from "../../db/enums";
import { partners, staffUsers, webhookAttempts, webhookEndpoints, webhookMessages } from "../../db/schema";
import { config } from "../../env";
import { openSecret } from "../crypto";
import { ensureJob, runningJob, type Job } from "../jobs/runner";
import { log } from "../log";
import { enqueueEmail } from "../mail/outbox";
import { postWebhook, type DeliveryOutcome } from "./outbound";
import { nextAttemptAt } from "./schedule";
import { signWebhook } from "./signing";

/**
 * The webhook outbox. A change writes its event here in its own transaction
 * (one message per endpoint that wants it); workers on every instance claim
 * due messages with SKIP LOCKED, sign and POST them, and record each attempt.
 * A 2xx ends a message for good; anything else is tried again on the
 * schedule (schedule.ts) for 72 hours. One client's messages reach an
 * endpoint in the order they were written: a message waits while an earlier
 * one for the same client and endpoint is still undelivered.
 */

export const SECRET_PURPOSE = "webhook-endpoint-secret";
const DELIVERY_TIMEOUT_MS = 10_000;
/** An endpoint whose every attempt has failed for this long is disabled and its KAM told. */
export const DISABLE_AFTER_MS = 5 * 24 * 60 * 60 * 1000;
const CLAIM_MS = 60_000;
const BATCH = 10;
const EXCERPT_CHARS = 500;
const ERROR_CHARS = 300;
export const WEBHOOK_JOB = "webhooks";

/** A test message staff send from the partner page: not one of the event types endpoints subscribe to. */
export const TEST_EVENT = "webhook.test";

export interface WebhookEvent {
  partnerId: number;
  type: WebhookEventType;
  /** Ids and the new state; never secrets, and no personal data beyond an email. */
  data: Record<string, unknown>;
  clientId?: string | null;
}

function messageRow(o: {
  endpointId: string;
  partnerId: number;
  type: string;
  data: Record<string, unknown>;
  clientId: string | null;
  at: Date;
}) {
  return {
    id: `msg_${randomUUID().replaceAll("-", "")}`,
    endpointId: o.endpointId,
    partnerId: o.partnerId,
    eventType: o.type,
    payload: { type: o.type, timestamp: o.at.toISOString(), data: o.data },
    clientId: o.clientId,
    // The database's clock, to the microsecond and moving on between statements: two events of one client
    // written in the same millisecond (a KYC verdict's kyc.decided and client.verification_changed) keep their order.
    createdAt: sql`clock_timestamp()`,
    nextAttemptAt: o.at,
  };
}

/**
 * Queues an event for every enabled endpoint of the partner that wants its
 * type. Pass the transaction of the change, so the event exists exactly when
 * the change does. Returns how many messages were written.
 */
export async function enqueueWebhookEvent(tx: Executor, e: WebhookEvent): Promise<number> {
  const endpoints = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.partnerId, e.partnerId),
        eq(webhookEndpoints.enabled, true),
        sql`${webhookEndpoints.removedAt} is null`,
        sql`(cardinality(${webhookEndpoints.eventTypes}) = 0 or ${e.type} = any(${webhookEndpoints.eventTypes}))`,
      ),
    );
  if (endpoints.length === 0) return 0;
  // One timestamp in the event's body, the same for every endpoint; created_at (the database's clock) orders a client's events.
  const at = new Date();
  await tx.insert(webhookMessages).values(
    endpoints.map((ep) =>
      messageRow({
        endpointId: ep.id,
        partnerId: e.partnerId,
        type: e.type,
        data: e.data,
        clientId: e.clientId ?? null,
        at,
      }),
    ),
  );
  runningJob(WEBHOOK_JOB)?.wake();
  return endpoints.length;
}

/**
 * Queues many events of one partner at once (a bulk import): its endpoints
 * read once, the messages written with multi-row inserts. Same rows as
 * enqueueWebhookEvent writes, one per event and endpoint that wants it.
 */
export async function enqueueWebhookEvents(
  tx: Executor,
  partnerId: number,
  events: ReadonlyArray<WebhookEvent>,
): Promise<number> {
  if (events.length === 0) return 0;
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.partnerId, partnerId),
        eq(webhookEndpoints.enabled, true),
        sql`${webhookEndpoints.removedAt} is null`,
      ),
    );
  const at = new Date();
  const rows = events.flatMap((e) =>
    endpoints
      .filter((ep) => ep.eventTypes.length === 0 || ep.eventTypes.includes(e.type))
      .map((ep) =>
        messageRow({ endpointId: ep.id, partnerId, type: e.type, data: e.data, clientId: e.clientId ?? null, at }),
      ),
  );
  for (let i = 0; i < rows.length; i += 500) await tx.insert(webhookMessages).values(rows.slice(i, i + 500));
  if (rows.length > 0) runningJob(WEBHOOK_JOB)?.wake();
  return rows.length;
}

/** A test message to one endpoint, delivered like any other. */
export async function enqueueTestMessage(tx: Executor, o: { endpointId: string; partnerId: number }): Promise<string> {
  const row = messageRow({
    endpointId: o.endpointId,
    partnerId: o.partnerId,
    type: TEST_EVENT,
    data: { endpointId: o.endpointId, partnerId: o.partnerId },
    clientId: null,
    at: new Date(),
  });
  await tx.insert(webhookMessages).values(row);
  runningJob(WEBHOOK_JOB)?.wake();
  return row.id;
}

interface Claimed {
  id: string;
  endpointId: string;
  partnerId: number;
  payload: unknown;
  attempts: number;
  firstAttemptAt: Date | null;
  /** The end of this worker's claim: it records the attempt only while the claim is still this one. */
  claimedUntil: Date;
}

/**
 * Claims due messages: pending ones whose time has come, and ones whose
 * claim lapsed (a worker died mid-delivery). Skipped: messages of disabled
 * or removed endpoints, and any message with an earlier undelivered message
 * for the same client and endpoint.
 */
async function claimDue(now: Date, limit: number, partnerId: number | undefined): Promise<Claimed[]> {
  const until = new Date(now.getTime() + CLAIM_MS);
  const result = await getDb().execute<{
    id: string;
    endpoint_id: string;
    partner_id: number;
    payload: unknown;
    attempts: number;
    first_attempt_at: string | null;
  }>(sql`
    update webhook_messages m set status = 'sending', claimed_until = ${until}
    where m.id in (
      select c.id from webhook_messages c
      join webhook_endpoints e on e.id = c.endpoint_id and e.enabled and e.removed_at is null
      where ((c.status = 'pending' and c.next_attempt_at <= ${now}) or (c.status = 'sending' and c.claimed_until < ${now}))
        ${partnerId === undefined ? sql`` : sql`and c.partner_id = ${partnerId}`}
        and not exists (
          select 1 from webhook_messages earlier
          where earlier.endpoint_id = c.endpoint_id and earlier.client_id = c.client_id
            and earlier.status in ('pending', 'sending')
            and (earlier.created_at, earlier.id) < (c.created_at, c.id))
      order by c.next_attempt_at
      limit ${limit}
      for update of c skip locked)
    returning m.id, m.endpoint_id, m.partner_id, m.payload, m.attempts, m.first_attempt_at`);
  return result.rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    partnerId: r.partner_id,
    payload: r.payload,
    attempts: r.attempts,
    firstAttemptAt: r.first_attempt_at ? new Date(r.first_attempt_at) : null,
    claimedUntil: until,
  }));
}

/** The secrets that sign a message now: the current one, and the previous one while its grace lasts. */
async function signingSecrets(endpointId: string, now: Date): Promise<{ url: string; secrets: string[] } | undefined> {
  const [endpoint] = await getDb()
    .select({
      url: webhookEndpoints.url,
      secret: webhookEndpoints.secretSealed,
      previous: webhookEndpoints.previousSecretSealed,
      previousUntil: webhookEndpoints.previousSecretUntil,
    })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.id, endpointId));
  if (!endpoint) return undefined;
  const current = openSecret(SECRET_PURPOSE, endpoint.secret);
  if (current === undefined) return undefined;
  const previous =
    endpoint.previous && endpoint.previousUntil && endpoint.previousUntil > now
      ? openSecret(SECRET_PURPOSE, endpoint.previous)
      : undefined;
  return { url: endpoint.url, secrets: previous ? [current, previous] : [current] };
}

function isSuccess(outcome: DeliveryOutcome): boolean {
  return outcome.kind === "answered" && outcome.status >= 200 && outcome.status < 300;
}

async function deliver(message: Claimed, now: () => Date): Promise<void> {
  const startedAt = now();
  const target = await signingSecrets(message.endpointId, startedAt);
  const body = JSON.stringify(message.payload);
  const outcome: DeliveryOutcome = target
    ? await postWebhook({
        url: target.url,
        headers: signWebhook({
          id: message.id,
          timestampSeconds: Math.floor(startedAt.getTime() / 1000),
          body,
          secrets: target.secrets,
        }),
        body,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        allowPrivate: config().WEBHOOK_ALLOW_PRIVATE_URLS === "1",
      })
    : {
        kind: "refused",
        error: "the endpoint's secret cannot be read (AUTH_SECRET changed?); rotate the secret",
        durationMs: 0,
      };
  await recordAttempt(message, outcome, startedAt, now());
}

async function recordAttempt(
  message: Claimed,
  outcome: DeliveryOutcome,
  attemptedAt: Date,
  finishedAt: Date,
): Promise<void> {
  const attempt = message.attempts + 1;
  const firstAttemptAt = message.firstAttemptAt ?? attemptedAt;
  const ok = isSuccess(outcome);
  const statusCode = outcome.kind === "answered" ? outcome.status : null;
  const error =
    outcome.kind === "answered" ? (ok ? null : `HTTP ${outcome.status}`) : outcome.error.slice(0, ERROR_CHARS);
  const next = ok ? null : nextAttemptAt({ attempts: attempt, firstAttemptAt, failedAt: finishedAt });
  await getDb().transaction(async (tx) => {
    // Only the worker holding the claim records it: a worker whose claim lapsed and was taken over by
    // another (same status, a later claimed_until) records nothing, so a message is never marked twice.
    const [updated] = await tx
      .update(webhookMessages)
      .set({
        status: ok ? "delivered" : next ? "pending" : "failed",
        attempts: attempt,
        firstAttemptAt,
        lastAttemptAt: attemptedAt,
        lastStatusCode: statusCode,
        lastError: error,
        claimedUntil: null,
        ...(ok ? { deliveredAt: finishedAt } : {}),
        ...(next ? { nextAttemptAt: next } : {}),
      })
      .where(
        and(
          eq(webhookMessages.id, message.id),
          eq(webhookMessages.status, "sending"),
          eq(webhookMessages.claimedUntil, message.claimedUntil),
        ),
      )
      .returning({ id: webhookMessages.id });
    if (!updated) return;
    await tx.insert(webhookAttempts).values({
      messageId: message.id,
      attempt,
      attemptedAt,
      statusCode,
      error,
      durationMs: outcome.durationMs,
      responseExcerpt: outcome.kind === "answered" ? outcome.body.slice(0, EXCERPT_CHARS) : null,
    });
    if (ok)
      await tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, message.endpointId));
    else await noteFailure(tx, message.endpointId, attemptedAt);
  });
}

/** An endpoint failing without a single success for DISABLE_AFTER_MS is disabled, and its KAM (or the partner's admins' address book: none) emailed. */
async function noteFailure(tx: Executor, endpointId: string, at: Date): Promise<void> {
  const [endpoint] = await tx
    .update(webhookEndpoints)
    .set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${at})` })
    .where(eq(webhookEndpoints.id, endpointId))
    .returning({
      failingSince: webhookEndpoints.failingSince,
      enabled: webhookEndpoints.enabled,
      url: webhookEndpoints.url,
      partnerId: webhookEndpoints.partnerId,
    });
  if (!endpoint?.failingSince || !endpoint.enabled || at.getTime() - endpoint.failingSince.getTime() < DISABLE_AFTER_MS)
    return;
  await tx
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: "failing", updatedAt: at })
    .where(eq(webhookEndpoints.id, endpointId));
  const [owner] = await tx
    .select({ partnerName: partners.name, email: staffUsers.email })
    .from(partners)
    .leftJoin(staffUsers, eq(staffUsers.id, partners.ownerStaffId))
    .where(eq(partners.id, endpoint.partnerId));
  log.warn("webhook endpoint disabled after failing for 5 days", {
    endpointId,
    partnerId: endpoint.partnerId,
    job: WEBHOOK_JOB,
  });
  if (owner?.email) {
    await enqueueEmail(tx, {
      template: "webhook_endpoint_disabled",
      to: owner.email,
      data: {
        partnerName: owner.partnerName,
        url: endpoint.url,
        failingSince: endpoint.failingSince.toISOString(),
        link: `${config().APP_URL}/partners/${endpoint.partnerId}#webhooks`,
      },
      partnerId: endpoint.partnerId,
    });
  }
}

/**
 * Claims and delivers one batch; true when the batch was full (more may be
 * due). `partnerId` narrows a run to one partner's messages (tests that move
 * the clock must not take other partners' messages with them).
 */
export async function deliverDueWebhooks(
  o: { limit?: number; now?: () => Date; partnerId?: number } = {},
): Promise<boolean> {
  const now = o.now ?? (() => new Date());
  const limit = o.limit ?? BATCH;
  const claimed = await claimDue(now(), limit, o.partnerId);
  await Promise.all(
    claimed.map((message) =>
      deliver(message, now).catch((error: unknown) => {
        // Left "sending": its claim lapses and the message is tried again.
        log.warn("webhook delivery could not be recorded", { messageId: message.id, error, job: WEBHOOK_JOB });
      }),
    ),
  );
  return claimed.length === limit;
}

/** Starts this process's webhook worker once, when WEBHOOK_WORKER is on. */
export function ensureWebhookWorker(): Job | undefined {
  if (config().WEBHOOK_WORKER !== "on") return undefined;
  return ensureJob({ name: WEBHOOK_JOB, intervalMs: 1000, run: () => deliverDueWebhooks() });
}
