import { bigserial, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { ACTOR_TYPES } from "../enums";

export const actorType = pgEnum("actor_type", ACTOR_TYPES);

/**
 * Append-only: no code path updates or deletes an audit event, and a trigger
 * (migration audit_events_append_only) makes the database refuse UPDATE, DELETE and TRUNCATE.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorType: actorType("actor_type").notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    entityType: text("entity_type"),
    entityId: text("entity_id"),
    partnerId: integer("partner_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    ip: text("ip"),
    requestId: text("request_id"),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at),
    index("audit_events_entity_idx").on(t.entityType, t.entityId, t.at),
    index("audit_events_actor_idx").on(t.actorType, t.actorId, t.at),
    index("audit_events_partner_idx").on(t.partnerId, t.at),
    index("audit_events_action_idx").on(t.action, t.at),
  ],
);
