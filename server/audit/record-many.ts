import { sql } from "drizzle-orm";
import type { Executor } from "../../db/client";
import type { Caller } from "../caller";
import { runningJob } from "../jobs/runner";
import { WEBHOOK_JOB } from "../webhooks/deliveries";
import { webhookEventsFor } from "../webhooks/events";
import type { AuditEvent } from "./record";

/**
 * recordAudit for many events at once: the same rows recordAudit writes (the
 * caller's actor, address and request id, each event's what-happened part,
 * `at` the transaction's time) and the same webhook messages it queues
 * (webhookEventsFor decides which, for every enabled endpoint of the partner
 * that wants the type), in one statement instead of two or three per event.
 * For a bulk action's batch of hundreds of clients. recordAudit and this are
 * the only ways into audit_events.
 */
export async function recordAuditMany(db: Executor, caller: Caller, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const { actor, ip, requestId } = caller;
  // Absent keys read as SQL null, as recordAudit's `?? null` writes them.
  const rows = events.map((e, i) => ({
    n: i,
    action: e.action,
    entity_type: e.entityType ?? undefined,
    entity_id: e.entityId ?? undefined,
    partner_id: e.partnerId ?? undefined,
    before: e.before ?? undefined,
    after: e.after ?? undefined,
  }));
  const hooks = events
    .flatMap((e) => webhookEventsFor(e))
    .map((h, i) => ({ n: i, ...h, clientId: h.clientId ?? undefined }));
  // One timestamp in every event's body, as enqueueWebhookEvent writes it; created_at (the database's clock) orders them.
  const at = new Date();
  const result = await db.execute<{ queued: number }>(sql`
    with audited as (
      insert into audit_events (actor_type, actor_id, action, entity_type, entity_id, partner_id, before, after, ip, request_id)
      select ${actor.type}::actor_type, ${"id" in actor ? (actor.id ?? null) : null}, e.action, e.entity_type, e.entity_id,
             e.partner_id, e.before, e.after, ${ip ?? null}, ${requestId ?? null}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as e(n int, action text, entity_type text, entity_id text, partner_id int, before jsonb, after jsonb)
      order by e.n
      returning 1
    ), queued as (
      insert into webhook_messages (id, endpoint_id, partner_id, event_type, payload, client_id, created_at, next_attempt_at)
      -- created_at is taken row by row in the order below, so one client's events keep the order they were given in.
      select m.id, m.endpoint_id, m.partner_id, m.type, m.payload, m.client_id, clock_timestamp(), ${at}
      from (
        select 'msg_' || replace(gen_random_uuid()::text, '-', '') as id, ep.id as endpoint_id, h."partnerId" as partner_id,
               h.type, jsonb_build_object('type', h.type, 'timestamp', ${at.toISOString()}::text, 'data', h.data) as payload,
               h."clientId" as client_id
        from jsonb_to_recordset(${JSON.stringify(hooks)}::jsonb)
          as h(n int, "partnerId" int, type text, data jsonb, "clientId" uuid)
        join webhook_endpoints ep on ep.partner_id = h."partnerId" and ep.enabled and ep.removed_at is null
          and (cardinality(ep.event_types) = 0 or h.type = any(ep.event_types))
        order by h.n, ep.id
      ) m
      returning 1
    )
    select (select count(*) from queued)::int as queued, (select count(*) from audited)::int as audited`);
  if ((result.rows[0]?.queued ?? 0) > 0) runningJob(WEBHOOK_JOB)?.wake();
}
