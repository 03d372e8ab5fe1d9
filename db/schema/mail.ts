import { sql } from "drizzle-orm";
import { index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { OUTBOX_STATUSES } from "../enums";

export const outboxStatus = pgEnum("outbox_status", OUTBOX_STATUSES);

/**
 * Transactional outbox: a row is written in the same transaction as the change
 * that causes the email, and a worker delivers it with retries.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    template: text("template").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    partnerId: integer("partner_id"),
    clientId: uuid("client_id"),
    status: outboxStatus("status").notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** While status is "sending": when the claim lapses if the worker died. */
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    lastError: text("last_error"),
    messageId: text("message_id"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("email_outbox_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.status} in ('queued', 'sending')`),
    index("email_outbox_status_idx").on(t.status, t.createdAt),
    index("email_outbox_created_idx").on(t.createdAt),
    index("email_outbox_to_idx").on(sql`lower(${t.toAddress})`, t.createdAt),
  ],
);
