import { auditEvents } from "../../db/schema";
import type { Executor } from "../../db/client";

export type Actor =
  | { type: "staff"; id: string }
  | { type: "api_key"; id: string }
  | { type: "client"; id: string }
  | { type: "system"; id?: string }
  | { type: "anonymous" };

export interface AuditInput {
  actor: Actor;
  action: string;
  entityType?: string;
  entityId?: string;
  partnerId?: number | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  requestId?: string | null;
}

/**
 * Appends an audit event. Callers pass their open transaction so the event
 * commits or rolls back with the change it describes. Never pass secrets in
 * before/after: callers pick the columns they record.
 */
export async function recordAudit(db: Executor, e: AuditInput): Promise<void> {
  await db.insert(auditEvents).values({
    actorType: e.actor.type,
    actorId: "id" in e.actor ? (e.actor.id ?? null) : null,
    action: e.action,
    entityType: e.entityType ?? null,
    entityId: e.entityId ?? null,
    partnerId: e.partnerId ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    ip: e.ip ?? null,
    requestId: e.requestId ?? null,
  });
}
