import { expect, type APIRequestContext } from "@playwright/test";
import { gatehouse } from "../fixtures";
import { uniqueTag } from "./data";

/**
 * Billing data made the way the outside world makes it: tiers and sandbox
 * money with the admin CLI, clients, subscriptions and payments through the
 * partner API of the running server.
 */

/** A tier of the partner, through `npm run gatehouse -- tier create`. */
export async function createTier(
  partnerId: number,
  o: { name: string; amount: string; currency?: string },
): Promise<{ id: number }> {
  return gatehouse([
    "tier",
    "create",
    "--partner",
    String(partnerId),
    "--name",
    o.name,
    "--amount",
    o.amount,
    "--currency",
    o.currency ?? "EUR",
  ]);
}

/** Sandbox money for a client, through `npm run gatehouse -- account credit`. */
export async function creditAccount(clientId: string, amount: string): Promise<{ balance: string }> {
  return gatehouse(["account", "credit", "--client", clientId, "--amount", amount]);
}

export interface ApiClient {
  clientId: string;
  email: string;
  accountId: string;
  headers: { authorization: string };
}

/** A client of a sandbox partner, registered with both steps of POST /reg/user (the sandbox code is 12345). */
export async function registerApiClient(request: APIRequestContext, partnerId: number): Promise<ApiClient> {
  const email = `${uniqueTag()}.billing@example.test`;
  const body = { email, password: "A9#bL8@z", userType: "CUSTOMER" };
  const headers = { partnerId: String(partnerId) };
  const pending = await request.post("/reg/user", { headers, data: body });
  expect(pending.status(), await pending.text()).toBe(202);
  const confirmed = await request.post("/reg/user", { headers, data: { ...body, emailConfirmCode: "12345" } });
  expect(confirmed.status(), await confirmed.text()).toBe(201);
  const { access_token, user_id } = (await confirmed.json()) as { access_token: string; user_id: string };
  const auth = { authorization: `Bearer ${access_token}` };
  const accounts = await request.get("/wallet/accounts", { headers: auth });
  expect(accounts.status(), await accounts.text()).toBe(200);
  const [account] = (await accounts.json()) as Array<{ id: string }>;
  return { clientId: user_id.replace(/^usr:/, ""), email, accountId: account!.id, headers: auth };
}

/** Starts a subscription to the tier: it is INIT with an open first invoice until that is paid. */
export async function subscribe(
  request: APIRequestContext,
  client: ApiClient,
  tierId: number,
): Promise<{ invoiceId: string; subscriptionId: string }> {
  const started = await request.post("/reg/subscription", {
    headers: client.headers,
    data: { accountId: client.accountId, subscriptionDetailsId: tierId },
  });
  expect(started.status(), await started.text()).toBe(201);
  const { id, subscriptionId } = (await started.json()) as { id: string; subscriptionId: string };
  return { invoiceId: id, subscriptionId };
}

export async function payInvoice(request: APIRequestContext, client: ApiClient, invoiceId: string): Promise<void> {
  const paid = await request.post("/invoice/payment/pay", { headers: client.headers, data: { invoiceId } });
  expect(paid.status(), await paid.text()).toBe(200);
}
