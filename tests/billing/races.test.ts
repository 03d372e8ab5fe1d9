import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { subscriptionTiers } from "../../db/schema";
import { DAY_MS } from "../../server/billing/lifecycle";
import { runBillingCycle } from "../../server/billing/scheduler";
import { moveTier } from "../../server/billing/tiers";
import { systemCaller } from "../../server/caller";
import { tierCreate } from "../../server/cli/commands";
import { useApi } from "../support/api";
import { credit, expectBalancedLedgerAfterEach, registerSubscriber, sandboxPartnerWithTier } from "../support/billing";

const api = useApi();
expectBalancedLedgerAfterEach();
const operator = systemCaller("test");

describe("races between staff and clients", () => {
  it("moves neighbouring tiers towards each other at once without a deadlock, keeping a consistent order", async () => {
    const { partner, tierId: first } = await sandboxPartnerWithTier();
    const second = (await tierCreate({ partner: String(partner.id), name: "Second", amount: "2.00", currency: "EUR" }))
      .json!.id as number;
    const client = await registerSubscriber(api, partner.id);
    for (let round = 0; round < 10; round++) {
      const results = await Promise.allSettled([
        moveTier(operator, { tierId: first, direction: "down" }),
        moveTier(operator, { tierId: second, direction: "up" }),
        // A client starting a subscription to one of them meanwhile (cancelled again so the next round can start one).
        api.post("/reg/subscription", { accountId: client.accountId, subscriptionDetailsId: first }, client.auth),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
      const started = (results[2] as PromiseFulfilledResult<{ status: number; body: { subscriptionId: string } }>)
        .value;
      expect(started.status).toBe(201);
      expect(
        (await api.post(`/reg/subscription/${started.body.subscriptionId}/cancel`, undefined, client.auth)).status,
      ).toBe(200);
    }
    const order = await getDb()
      .select({ id: subscriptionTiers.id, sortOrder: subscriptionTiers.sortOrder })
      .from(subscriptionTiers)
      .where(eq(subscriptionTiers.partnerId, partner.id))
      .orderBy(asc(subscriptionTiers.sortOrder));
    expect(new Set(order.map((t) => t.sortOrder)).size).toBe(2);
  });

  it("cancelling while a renewal is open ends the subscription and voids the renewal, so it can no longer be paid", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier({ amount: "10.00" });
    const client = await registerSubscriber(api, partner.id);
    await credit(client.clientId, "10.00");
    const started = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    const paid = await api.post("/invoice/payment/pay", { invoiceId: started.body.id }, client.auth);
    // The scheduler (its clock a little ahead of this one) raises the renewal; the balance is empty.
    await runBillingCycle({
      now: new Date(Date.parse(paid.body.subscription.currentPeriodEnd) + 1000),
      grace: 7 * DAY_MS,
      partnerId: partner.id,
    });
    const [withRenewal] = (await api.get("/reg/subscription", client.auth)).body;
    expect(withRenewal.openInvoiceId).toEqual(expect.any(String));

    const cancelled = await api.post(`/reg/subscription/${withRenewal.id}/cancel`, undefined, client.auth);
    expect(cancelled.body).toMatchObject({ status: "CANCELLED", openInvoiceId: null });
    await credit(client.clientId, "10.00");
    const late = await api.post("/invoice/payment/pay", { invoiceId: withRenewal.openInvoiceId }, client.auth);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("invoice_not_payable");
  });
});
