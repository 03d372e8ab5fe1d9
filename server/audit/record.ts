import { auditEvents } from "../../db/schema";
import type { Executor } from "../../db/client";
import type { Caller } from "../caller";
import { enqueueWebhookEventsFor, type AuditedChange } from "../webhooks/events";

/** What happened; who did it, from which address and in which request come from the caller. */
export type AuditEvent = AuditedChange;

/**
 * Appends an audit event: the caller's actor, address and request id, and
 * what happened. Callers pass their open transaction so the event commits or
 * rolls back with the change it describes. Never pass secrets in
 * before/after: callers pick the columns they record.
 */
export async function recordAudit(db: Executor, caller: Caller, e: AuditEvent): Promise<void> {
  const { actor, ip, requestId } = caller;
  await db.insert(auditEvents).values({
    actorType: actor.type,
    actorId: "id" in actor ? (actor.id ?? null) : null,
    action: e.action,
    entityType: e.entityType ?? null,
    entityId: e.entityId ?? null,
    partnerId: e.partnerId ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    ip: ip ?? null,
    requestId: requestId ?? null,
  });
  // A change partners hear about queues its webhooks here, in the same transaction (decision 0020).
  await enqueueWebhookEventsFor(db, e);
}
