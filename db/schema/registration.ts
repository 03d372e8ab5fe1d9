import { sql } from "drizzle-orm";
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { clients } from "./clients";
import { partners } from "./partners";
import { CONFIRMATION_STATES } from "../enums";

export const confirmationState = pgEnum("confirmation_state", CONFIRMATION_STATES);

/** Partner-API step 1: a registration that waits for its emailed code. */
export const pendingRegistrations = pgTable(
  "pending_registrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    userType: text("user_type").notNull(),
    codeHash: text("code_hash").notNull(),
    attempts: integer("attempts").notNull().default(0),
    resendCount: integer("resend_count").notNull().default(0),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    state: confirmationState("state").notNull().default("pending"),
    clientId: uuid("client_id").references(() => clients.id),
    requestIp: text("request_ip"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // At most one open registration per partner and email, whatever the concurrency.
    uniqueIndex("pending_registrations_open_key")
      .on(t.partnerId, sql`lower(${t.email})`)
      .where(sql`${t.state} = 'pending'`),
    index("pending_registrations_email_idx").on(t.partnerId, sql`lower(${t.email})`, t.createdAt),
    index("pending_registrations_state_idx").on(t.state, t.createdAt),
    // Overview funnel: the step-1 registrations of a window that have not (yet) become a client.
    index("pending_registrations_unfinished_idx")
      .on(t.createdAt, t.partnerId)
      .where(sql`${t.clientId} is null`),
  ],
);

/** White-label clients exist at once and confirm their email afterwards (link or code). */
export const emailConfirmations = pgTable(
  "email_confirmations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    codeHash: text("code_hash").notNull(),
    linkTokenHash: text("link_token_hash").notNull().unique(),
    attempts: integer("attempts").notNull().default(0),
    resendCount: integer("resend_count").notNull().default(0),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    state: confirmationState("state").notNull().default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("email_confirmations_open_key")
      .on(t.clientId)
      .where(sql`${t.state} = 'pending'`),
    index("email_confirmations_state_idx").on(t.state, t.createdAt),
  ],
);

/** A client's password reset: an emailed code (and link) under the registration code rules. */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    codeHash: text("code_hash").notNull(),
    linkTokenHash: text("link_token_hash").notNull().unique(),
    attempts: integer("attempts").notNull().default(0),
    resendCount: integer("resend_count").notNull().default(0),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    state: confirmationState("state").notNull().default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("password_resets_open_key")
      .on(t.clientId)
      .where(sql`${t.state} = 'pending'`),
    index("password_resets_client_idx").on(t.clientId, t.createdAt),
  ],
);
