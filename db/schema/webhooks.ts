import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { WEBHOOK_MESSAGE_STATUSES } from "../enums";
import { partners } from "./partners";
import { staffUsers } from "./staff";

export const webhookMessageStatus = pgEnum("webhook_message_status", WEBHOOK_MESSAGE_STATUSES);

/** A partner's webhook endpoint (at most 5 per partner). Secrets are sealed: the server must read them back to sign. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    url: text("url").notNull(),
    /** The event types sent here; empty means every type. */
    eventTypes: text("event_types")
      .array()
      .notNull()
      .default(sql`ARRAY[]::text[]`),
    enabled: boolean("enabled").notNull().default(true),
    secretSealed: text("secret_sealed").notNull(),
    /** After a rotation, the previous secret also signs until this time, so receivers can switch without a gap. */
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretUntil: timestamp("previous_secret_until", { withTimezone: true }),
    /** Since when every attempt has failed (null after any success); after 5 days the endpoint is disabled. */
    failingSince: timestamp("failing_since", { withTimezone: true }),
    disabledReason: text("disabled_reason"),
    createdByStaffId: uuid("created_by_staff_id").references(() => staffUsers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [index("webhook_endpoints_partner_idx").on(t.partnerId)],
);

/**
 * The webhook outbox: one row per event and endpoint, written in the
 * transaction of the change that causes it. `id` is the webhook-id every
 * attempt of the message carries.
 */
export const webhookMessages = pgTable(
  "webhook_messages",
  {
    id: text("id").primaryKey(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id),
    partnerId: integer("partner_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The body sent: {type, timestamp, data}. */
    payload: jsonb("payload").notNull(),
    /** The client the event is about, if any: one client's messages reach an endpoint in order. */
    clientId: uuid("client_id"),
    status: webhookMessageStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** While status is "sending": when the claim lapses if the worker died. */
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    firstAttemptAt: timestamp("first_attempt_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("webhook_messages_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
    index("webhook_messages_endpoint_idx").on(t.endpointId, t.createdAt),
    index("webhook_messages_client_order_idx")
      .on(t.endpointId, t.clientId, t.createdAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
  ],
);

/** Every attempt at a message: the delivery log staff read. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    messageId: text("message_id")
      .notNull()
      .references(() => webhookMessages.id),
    attempt: integer("attempt").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
    statusCode: integer("status_code"),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    /** The first characters of the answer, for the log (never more than the 4 KB read). */
    responseExcerpt: text("response_excerpt"),
  },
  (t) => [index("webhook_attempts_message_idx").on(t.messageId, t.attempt)],
);
