import { sql } from "drizzle-orm";
import { boolean, char, index, integer, pgEnum, pgTable, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { staffUsers } from "./staff";
import { PARTNER_STATUSES } from "../enums";

export const partnerStatus = pgEnum("partner_status", PARTNER_STATUSES);

export const partners = pgTable(
  "partners",
  {
    // Identity values are never reused, even after a rollback or a delete.
    id: integer("id").primaryKey().generatedAlwaysAsIdentity({ startWith: 1000 }),
    name: text("name").notNull(),
    status: partnerStatus("status").notNull().default("active"),
    sandbox: boolean("sandbox").notNull().default(false),
    captchaRequired: boolean("captcha_required").notNull().default(false),
    /** Registrations per client IP per hour; 0 turns the quota off. */
    quotaPerIpHour: integer("quota_per_ip_hour").notNull().default(1),
    /** Registrations per hour for the whole partner; 0 turns the quota off. */
    quotaTotalHour: integer("quota_total_hour").notNull().default(50),
    allowedUserTypes: text("allowed_user_types")
      .array()
      .notNull()
      .default(sql`ARRAY['CUSTOMER']::text[]`),
    defaultCurrency: char("default_currency", { length: 3 }).notNull().default("EUR"),
    kycApprovedLevel: smallint("kyc_approved_level").notNull().default(2),
    /** Browser origins allowed to call the public API for this partner (CORS); https, or http://localhost:* for a sandbox. */
    allowedOrigins: text("allowed_origins")
      .array()
      .notNull()
      .default(sql`ARRAY[]::text[]`),
    ownerStaffId: uuid("owner_staff_id").references(() => staffUsers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("partners_owner_idx").on(t.ownerStaffId)],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    name: text("name").notNull(),
    /** The first characters of the key, safe to show: lets people tell keys apart. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole key; keys are 256-bit random, so a fast hash is enough. */
    keyHash: text("key_hash").notNull().unique(),
    createdByStaffId: uuid("created_by_staff_id").references(() => staffUsers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("api_keys_partner_idx").on(t.partnerId)],
);

/** The hostnames a partner's white-label app is served from: a request to one of them acts for that partner. A host belongs to one partner. */
export const partnerHosts = pgTable(
  "partner_hosts",
  {
    host: text("host").primaryKey(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("partner_hosts_partner_idx").on(t.partnerId)],
);
