import { and, eq, sql } from "drizzle-orm";
import type { Executor, Tx } from "../../db/client";
import { accounts, ledgerEntries, ledgerTransactions } from "../../db/schema";

/**
 * The double-entry ledger. Money moves only as a transaction whose entries
 * sum to zero; a balance is only ever the sum of an account's entries. The
 * database checks both at commit (migration 0008), so a bug here fails loudly
 * instead of creating or losing money.
 */

export type SystemAccountCode = "revenue" | "sandbox_funding";

interface Posting {
  accountId: string;
  amountMinor: bigint;
}

export interface LedgerTransactionInput {
  kind: "invoice_payment" | "sandbox_credit";
  description: string;
  currency: string;
  postings: Posting[];
}

export async function postTransaction(tx: Tx, input: LedgerTransactionInput): Promise<string> {
  const sum = input.postings.reduce((total, p) => total + p.amountMinor, 0n);
  if (sum !== 0n) throw new Error(`ledger transaction "${input.kind}" does not balance (${sum})`);
  if (input.postings.some((p) => p.amountMinor === 0n)) throw new Error("a ledger posting cannot be zero");
  const [row] = await tx
    .insert(ledgerTransactions)
    .values({ kind: input.kind, description: input.description })
    .returning({ id: ledgerTransactions.id });
  await tx.insert(ledgerEntries).values(
    input.postings.map((p) => ({
      transactionId: row!.id,
      accountId: p.accountId,
      amountMinor: p.amountMinor,
      currency: input.currency,
    })),
  );
  return row!.id;
}

export async function balanceOf(db: Executor, accountId: string): Promise<bigint> {
  const [row] = await db
    .select({ balance: sql<string>`coalesce(sum(${ledgerEntries.amountMinor}), 0)::text` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.accountId, accountId));
  return BigInt(row?.balance ?? "0");
}

/**
 * Takes the account's row lock so debits of one account are serialised:
 * the balance read after it cannot change until the transaction ends.
 */
export async function lockAccount(tx: Tx, accountId: string, clientId: string) {
  const [row] = await tx
    .select({
      id: accounts.id,
      clientId: accounts.clientId,
      partnerId: accounts.partnerId,
      currency: accounts.currency,
      type: accounts.type,
    })
    .from(accounts)
    .where(and(eq(accounts.id, accountId), eq(accounts.clientId, clientId)))
    // Not FOR UPDATE: new ledger entries referencing the account (credits) need not wait for it.
    .for("no key update");
  return row;
}

/** The partner's system account for a purpose and currency, created on first use. */
export async function systemAccount(
  tx: Tx,
  partnerId: number,
  code: SystemAccountCode,
  currency: string,
): Promise<string> {
  const existing = async () => {
    const [row] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(
        and(
          eq(accounts.partnerId, partnerId),
          eq(accounts.type, "SYSTEM"),
          eq(accounts.systemCode, code),
          eq(accounts.currency, currency),
        ),
      );
    return row?.id;
  };
  const found = await existing();
  if (found) return found;
  const [created] = await tx
    .insert(accounts)
    .values({ partnerId, type: "SYSTEM", systemCode: code, currency })
    .onConflictDoNothing({
      target: [accounts.partnerId, accounts.systemCode, accounts.currency],
      where: sql`${accounts.type} = 'SYSTEM'`,
    })
    .returning({ id: accounts.id });
  // A concurrent transaction created it first: read theirs.
  return created?.id ?? (await existing())!;
}

export interface Reconciliation {
  transactions: number;
  entries: number;
  /** Sum of every entry per currency: zero when the books balance. */
  totals: Record<string, string>;
  unbalancedTransactions: string[];
  mismatchedCurrencies: number;
  balanced: boolean;
}

/** Checks the whole ledger: every transaction sums to zero, every entry is in its account's currency. */
export async function reconcileLedger(db: Executor): Promise<Reconciliation> {
  const [counts] = await db
    .select({
      transactions: sql<number>`count(distinct ${ledgerEntries.transactionId})::int`,
      entries: sql<number>`count(*)::int`,
    })
    .from(ledgerEntries);
  const totals = await db
    .select({ currency: ledgerEntries.currency, total: sql<string>`sum(${ledgerEntries.amountMinor})::text` })
    .from(ledgerEntries)
    .groupBy(ledgerEntries.currency);
  const unbalanced = await db
    .select({ id: ledgerEntries.transactionId })
    .from(ledgerEntries)
    .groupBy(ledgerEntries.transactionId, ledgerEntries.currency)
    .having(sql`sum(${ledgerEntries.amountMinor}) <> 0`)
    .limit(100);
  const [mismatch] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(ledgerEntries)
    .innerJoin(accounts, eq(accounts.id, ledgerEntries.accountId))
    .where(sql`${accounts.currency} <> ${ledgerEntries.currency}`);
  const totalsByCurrency = Object.fromEntries(totals.map((t) => [t.currency, t.total]));
  const mismatchedCurrencies = mismatch?.n ?? 0;
  return {
    transactions: counts?.transactions ?? 0,
    entries: counts?.entries ?? 0,
    totals: totalsByCurrency,
    unbalancedTransactions: [...new Set(unbalanced.map((u) => u.id))],
    mismatchedCurrencies,
    balanced: unbalanced.length === 0 && mismatchedCurrencies === 0 && totals.every((t) => t.total === "0"),
  };
}
