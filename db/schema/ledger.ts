import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  char,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { clients } from "./clients";
import { partners } from "./partners";
import { ACCOUNT_TYPES } from "../enums";

export const accountType = pgEnum("account_type", ACCOUNT_TYPES);

/**
 * Client accounts and the system accounts money comes from or goes to.
 * A balance is never stored: it is the sum of the account's ledger entries.
 */
export const accounts = pgTable(
  "accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    clientId: uuid("client_id").references(() => clients.id),
    type: accountType("type").notNull(),
    /** For SYSTEM accounts: what the account stands for (e.g. "sandbox_funding", "revenue"). */
    systemCode: text("system_code"),
    currency: char("currency", { length: 3 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("accounts_client_type_currency_key").on(t.clientId, t.type, t.currency),
    uniqueIndex("accounts_system_key")
      .on(t.partnerId, t.systemCode, t.currency)
      .where(sql`${t.type} = 'SYSTEM'`),
  ],
);

export const ledgerTransactions = pgTable("ledger_transactions", {
  id: uuid("id").primaryKey().defaultRandom(),
  kind: text("kind").notNull(),
  description: text("description").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Amounts in minor units; the entries of one transaction always sum to zero. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    transactionId: uuid("transaction_id")
      .notNull()
      .references(() => ledgerTransactions.id),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id),
    amountMinor: bigint("amount_minor", { mode: "bigint" }).notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ledger_entries_account_idx").on(t.accountId, t.id),
    index("ledger_entries_transaction_idx").on(t.transactionId),
    check("ledger_entries_nonzero", sql`${t.amountMinor} <> 0`),
  ],
);
