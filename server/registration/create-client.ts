import type { Tx } from "../../db/client";
import { accounts, clients } from "../../db/schema";

export type NewClient = typeof clients.$inferInsert;

/**
 * Inserts a client and its CHECKING account in the caller's transaction.
 * Returns undefined when the email is already a client of the partner: the
 * unique index decides, so concurrent registrations cannot both succeed.
 */
export async function insertClientWithAccount(
  tx: Tx,
  values: NewClient,
  currency: string,
): Promise<{ id: string; accountId: string } | undefined> {
  const [client] = await tx.insert(clients).values(values).onConflictDoNothing().returning({ id: clients.id });
  if (!client) return undefined;
  const [account] = await tx
    .insert(accounts)
    .values({ partnerId: values.partnerId, clientId: client.id, type: "CHECKING", currency })
    .returning({ id: accounts.id });
  return { id: client.id, accountId: account!.id };
}
