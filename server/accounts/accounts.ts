import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Executor } from "../../db/client";
import { accounts, ledgerEntries } from "../../db/schema";
import { formatMinor } from "../billing/money";
import { clientOf, type Caller } from "../caller";

export const accountSchema = z
  .object({
    id: z.uuid(),
    type: z.literal("CHECKING"),
    currency: z.string().meta({ example: "EUR" }),
    balance: z
      .string()
      .meta({ description: "Decimal string in major units, the sum of the account's ledger entries", example: "0.00" }),
  })
  .meta({ id: "Account" });
export type AccountView = z.infer<typeof accountSchema>;

/** A client's accounts with balances computed from the ledger. */
export async function listClientAccounts(db: Executor, clientId: string): Promise<AccountView[]> {
  const rows = await db
    .select({
      id: accounts.id,
      currency: accounts.currency,
      balance: sql<string>`coalesce(sum(${ledgerEntries.amountMinor}), 0)::text`,
    })
    .from(accounts)
    .leftJoin(ledgerEntries, eq(ledgerEntries.accountId, accounts.id))
    .where(and(eq(accounts.clientId, clientId), eq(accounts.type, "CHECKING")))
    .groupBy(accounts.id)
    .orderBy(accounts.createdAt);
  return rows.map((r) => ({
    id: r.id,
    type: "CHECKING" as const,
    currency: r.currency,
    balance: formatMinor(BigInt(r.balance)),
  }));
}

/** The calling client's own accounts. */
export function listAccountsOf(caller: Caller): Promise<AccountView[]> {
  return listClientAccounts(getDb(), clientOf(caller).id);
}
