import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  char,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { clients } from "./clients";
import { accounts, ledgerTransactions } from "./ledger";
import { partners } from "./partners";
import {
  INVOICE_KINDS,
  INVOICE_STATUSES,
  PAYMENT_STATUSES,
  SUBSCRIPTION_STATUSES,
  TIER_INTERVALS,
  TIER_STATUSES,
} from "../enums";

export const tierInterval = pgEnum("tier_interval", TIER_INTERVALS);
export const tierStatus = pgEnum("tier_status", TIER_STATUSES);
export const subscriptionStatus = pgEnum("subscription_status", SUBSCRIPTION_STATUSES);
export const invoiceStatus = pgEnum("invoice_status", INVOICE_STATUSES);
export const invoiceKind = pgEnum("invoice_kind", INVOICE_KINDS);
export const paymentStatus = pgEnum("payment_status", PAYMENT_STATUSES);

export interface TariffDetail {
  key: string;
  label: string;
  order: number;
  value: string;
}

/** What a partner sells. Amounts are in minor units of the tier's currency. */
export const subscriptionTiers = pgTable(
  "subscription_tiers",
  {
    // The public API calls this subscriptionDetailsId: a small whole number.
    id: integer("id").primaryKey().generatedAlwaysAsIdentity({ startWith: 1 }),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    level: smallint("level").notNull().default(0),
    amountMinor: bigint("amount_minor", { mode: "bigint" }).notNull(),
    initialAmountMinor: bigint("initial_amount_minor", { mode: "bigint" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    interval: tierInterval("interval").notNull().default("DAYS30"),
    features: text("features")
      .array()
      .notNull()
      .default(sql`ARRAY[]::text[]`),
    tariffDetails: jsonb("tariff_details")
      .$type<TariffDetail[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    mostPopular: boolean("most_popular").notNull().default(false),
    trialAvailable: boolean("trial_available").notNull().default(false),
    status: tierStatus("status").notNull().default("active"),
    /** Position in the partner's list; lower comes first. */
    sortOrder: integer("sort_order").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("subscription_tiers_partner_name_key").on(t.partnerId, sql`lower(${t.name})`),
    index("subscription_tiers_partner_order_idx").on(t.partnerId, t.sortOrder),
    check("subscription_tiers_amounts_nonnegative", sql`${t.amountMinor} >= 0 and ${t.initialAmountMinor} >= 0`),
  ],
);

export const subscriptions = pgTable(
  "subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    tierId: integer("tier_id")
      .notNull()
      .references(() => subscriptionTiers.id),
    status: subscriptionStatus("status").notNull().default("INIT"),
    currentPeriodStart: timestamp("current_period_start", { withTimezone: true }),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    /** Why it ended: "client", "staff", "unpaid", "invoice_voided". */
    cancelReason: text("cancel_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A client holds at most one live subscription to a tier.
    uniqueIndex("subscriptions_live_per_tier_key")
      .on(t.clientId, t.tierId)
      .where(sql`${t.status} <> 'CANCELLED'`),
    index("subscriptions_client_idx").on(t.clientId, t.createdAt),
    index("subscriptions_tier_idx").on(t.tierId, t.status),
    index("subscriptions_partner_created_idx").on(t.partnerId, t.createdAt, t.id),
    index("subscriptions_created_idx").on(t.createdAt, t.id),
    // The scheduler looks for live subscriptions whose period has ended.
    index("subscriptions_due_idx")
      .on(t.currentPeriodEnd)
      .where(sql`${t.status} in ('ACTIVE', 'DEACTIVATING')`),
  ],
);

export const invoices = pgTable(
  "invoices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    subscriptionId: uuid("subscription_id")
      .notNull()
      .references(() => subscriptions.id),
    kind: invoiceKind("kind").notNull(),
    amountMinor: bigint("amount_minor", { mode: "bigint" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    status: invoiceStatus("status").notNull().default("open"),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    /** The period this invoice pays for; the initial invoice's period starts when it is paid. */
    periodStart: timestamp("period_start", { withTimezone: true }),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    voidedAt: timestamp("voided_at", { withTimezone: true }),
    voidReason: text("void_reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One renewal invoice per period, however many schedulers run.
    uniqueIndex("invoices_renewal_period_key")
      .on(t.subscriptionId, t.periodStart)
      .where(sql`${t.kind} = 'renewal'`),
    uniqueIndex("invoices_initial_key")
      .on(t.subscriptionId)
      .where(sql`${t.kind} = 'initial'`),
    index("invoices_client_idx").on(t.clientId, t.createdAt),
    index("invoices_subscription_idx").on(t.subscriptionId, t.createdAt),
    index("invoices_partner_created_idx").on(t.partnerId, t.createdAt, t.id),
    index("invoices_created_idx").on(t.createdAt, t.id),
    index("invoices_open_due_idx")
      .on(t.dueAt)
      .where(sql`${t.status} = 'open'`),
    check("invoices_amount_nonnegative", sql`${t.amountMinor} >= 0`),
  ],
);

/** At most one payment per invoice: "get or create" returns it, "pay" settles it once. */
export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    invoiceId: uuid("invoice_id")
      .notNull()
      .references(() => invoices.id),
    type: text("type").notNull().default("PLATFORM"),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    amountMinor: bigint("amount_minor", { mode: "bigint" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    status: paymentStatus("status").notNull().default("PENDING"),
    ledgerTransactionId: uuid("ledger_transaction_id").references(() => ledgerTransactions.id),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payments_invoice_key").on(t.invoiceId),
    uniqueIndex("payments_ledger_transaction_key").on(t.ledgerTransactionId),
  ],
);

/**
 * Stored responses of money-moving requests, per client and key. The row is
 * written in the same transaction as the change, so a key is either unused
 * or tied to a committed change and its response.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    key: text("key").notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    requestHash: text("request_hash").notNull(),
    responseStatus: smallint("response_status").notNull(),
    responseBody: jsonb("response_body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
