import { afterEach, expect } from "vitest";
import { getDb } from "../../db/client";
import { reconcileLedger } from "../../server/billing/ledger";
import { accountCredit, tierCreate } from "../../server/cli/commands";
import { createTestPartner, STRONG_PARTNER_PASSWORD, uniqueEmail, type apiClient } from "./api";

type Api = ReturnType<typeof apiClient>;

/** After every test of the file: each ledger transaction balances and all money sums to zero. */
export function expectBalancedLedgerAfterEach() {
  afterEach(async () => {
    const books = await reconcileLedger(getDb());
    expect(books.unbalancedTransactions).toEqual([]);
    expect(books.mismatchedCurrencies).toBe(0);
    for (const total of Object.values(books.totals)) expect(total).toBe("0");
  });
}

export interface Subscriber {
  partnerId: number;
  clientId: string;
  email: string;
  token: string;
  auth: { authorization: string };
  accountId: string;
}

/** A client of the partner, registered through both steps of POST /reg/user, with its CHECKING account. */
export async function registerSubscriber(api: Api, partnerId: number): Promise<Subscriber> {
  const email = uniqueEmail("billing");
  const body = { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD };
  expect((await api.post("/reg/user", body, { partnerId: String(partnerId) })).status).toBe(202);
  const tokens = await api.post("/reg/user", { ...body, emailConfirmCode: "12345" }, { partnerId: String(partnerId) });
  expect(tokens.status).toBe(201);
  const auth = { authorization: `Bearer ${tokens.body.access_token}` };
  const accounts = await api.get("/wallet/accounts", auth);
  expect(accounts.status).toBe(200);
  return {
    partnerId,
    clientId: tokens.body.user_id.slice(4),
    email,
    token: tokens.body.access_token,
    auth,
    accountId: accounts.body[0].id,
  };
}

/** A sandbox partner with one tier, made as an operator would, with the CLI's commands. */
export async function sandboxPartnerWithTier(o: { amount?: string; currency?: string; initialAmount?: string } = {}) {
  const partner = await createTestPartner({ sandbox: true, ...(o.currency ? { defaultCurrency: o.currency } : {}) });
  const tier = await tierCreate({
    partner: String(partner.id),
    name: "Premium",
    amount: o.amount ?? "9.99",
    currency: o.currency ?? "EUR",
    ...(o.initialAmount ? { "initial-amount": o.initialAmount } : {}),
  });
  return { partner, tierId: tier.json!.id as number };
}

export async function credit(clientId: string, amount: string) {
  return accountCredit({ client: clientId, amount });
}

export async function balanceOf(api: Api, subscriber: Subscriber): Promise<string> {
  const accounts = await api.get("/wallet/accounts", subscriber.auth);
  return accounts.body.find((a: { id: string }) => a.id === subscriber.accountId).balance;
}
