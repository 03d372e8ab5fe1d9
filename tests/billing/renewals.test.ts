import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, emailOutbox, invoices, subscriptions } from "../../db/schema";
import { DAY_MS } from "../../server/billing/lifecycle";
import { runBillingCycle } from "../../server/billing/scheduler";
import { billingRun, tierCreate } from "../../server/cli/commands";
import { updateTierSchema } from "../../server/billing/schemas";
import { updateTier } from "../../server/billing/tiers";
import { systemCaller } from "../../server/caller";
import { useApi } from "../support/api";
import {
  balanceOf,
  credit,
  expectBalancedLedgerAfterEach,
  registerSubscriber,
  sandboxPartnerWithTier,
} from "../support/billing";

const api = useApi();
expectBalancedLedgerAfterEach();

const GRACE = 7 * DAY_MS;
const later = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY_MS);

/** A sandbox partner's client with a paid (ACTIVE) subscription and some money left. */
async function activeSubscriber(o: { amount?: string; balance: string }) {
  const { partner, tierId } = await sandboxPartnerWithTier({ amount: o.amount ?? "10.00" });
  const client = await registerSubscriber(api, partner.id);
  await credit(client.clientId, o.balance);
  const started = await api.post(
    "/reg/subscription",
    { accountId: client.accountId, subscriptionDetailsId: tierId },
    client.auth,
  );
  const paid = await api.post("/invoice/payment/pay", { invoiceId: started.body.id }, client.auth);
  expect(paid.status).toBe(200);
  return {
    partnerId: partner.id,
    tierId,
    client,
    subscriptionId: started.body.subscriptionId as string,
    periodEnd: paid.body.subscription.currentPeriodEnd as string,
  };
}

async function invoicesOf(subscriptionId: string) {
  return getDb()
    .select({
      kind: invoices.kind,
      status: invoices.status,
      amount: invoices.amountMinor,
      periodStart: invoices.periodStart,
    })
    .from(invoices)
    .where(eq(invoices.subscriptionId, subscriptionId))
    .orderBy(invoices.createdAt);
}

/** The billing emails queued for a client, oldest first. */
async function billingEmailsTo(address: string) {
  const rows = await getDb()
    .select({ template: emailOutbox.template, text: emailOutbox.textBody })
    .from(emailOutbox)
    .where(
      and(
        eq(emailOutbox.toAddress, address),
        inArray(emailOutbox.template, ["payment_received", "renewal_unpaid", "subscription_ended"]),
      ),
    )
    .orderBy(emailOutbox.createdAt);
  return rows;
}

async function subscription(api_: typeof api, client: { auth: { authorization: string } }) {
  const listed = await api_.get("/reg/subscription", client.auth);
  return listed.body[0];
}

describe("renewals at period end", () => {
  it("issues the renewal invoice and pays it from the balance, at the tier's current price", async () => {
    const s = await activeSubscriber({ amount: "10.00", balance: "25.00" });
    // A price change applies from the next renewal.
    await updateTier(systemCaller("test"), updateTierSchema.parse({ tierId: s.tierId, amount: "12.00" }));

    const before = await runBillingCycle({ now: later(s.periodEnd, -0.001), grace: GRACE, partnerId: s.partnerId });
    expect(before.examined).toBe(0);

    const report = await runBillingCycle({ now: later(s.periodEnd, 0.5), grace: GRACE, partnerId: s.partnerId });
    expect(report).toMatchObject({ examined: 1, renewalsIssued: 1, renewalsPaid: 1, lapsed: 0 });
    expect(await invoicesOf(s.subscriptionId)).toEqual([
      expect.objectContaining({ kind: "initial", status: "paid", amount: 1000n }),
      expect.objectContaining({ kind: "renewal", status: "paid", amount: 1200n, periodStart: new Date(s.periodEnd) }),
    ]);
    expect(await balanceOf(api, s.client)).toBe("3.00");
    const sub = await subscription(api, s.client);
    expect(sub).toMatchObject({
      status: "ACTIVE",
      currentPeriodStart: s.periodEnd,
      currentPeriodEnd: later(s.periodEnd, 30).toISOString(),
      openInvoiceId: null,
    });
    // The client hears of each payment: the first one and the renewal, with the new period's end.
    const emails = await billingEmailsTo(s.client.email);
    expect(emails.map((e) => e.template)).toEqual(["payment_received", "payment_received"]);
    expect(emails[1]!.text).toContain("12.00 EUR");
    expect(emails[1]!.text).toContain(`paid until ${later(s.periodEnd, 30).toISOString().slice(0, 10)}`);
  });

  it("is safe to run on several instances at once and to run again: one invoice, one debit", async () => {
    const s = await activeSubscriber({ amount: "10.00", balance: "30.00" });
    const now = later(s.periodEnd, 1);
    const reports = await Promise.all(
      [1, 2, 3, 4].map(() => runBillingCycle({ now, grace: GRACE, partnerId: s.partnerId })),
    );
    expect(reports.reduce((n, r) => n + r.renewalsIssued, 0)).toBe(1);
    expect(reports.reduce((n, r) => n + r.renewalsPaid, 0)).toBe(1);
    const again = await runBillingCycle({ now, grace: GRACE, partnerId: s.partnerId });
    expect(again).toMatchObject({ examined: 0, renewalsIssued: 0, renewalsPaid: 0 });
    expect((await invoicesOf(s.subscriptionId)).filter((i) => i.kind === "renewal")).toHaveLength(1);
    expect(await balanceOf(api, s.client)).toBe("10.00");
  });

  it("keeps an unpaid renewal open through the grace period, collects it when money arrives, else cancels", async () => {
    const paysLate = await activeSubscriber({ amount: "10.00", balance: "10.00" });
    await runBillingCycle({ now: later(paysLate.periodEnd, 1), grace: GRACE, partnerId: paysLate.partnerId });
    const open = await subscription(api, paysLate.client);
    expect(open).toMatchObject({ status: "ACTIVE", openInvoiceId: expect.any(String) });
    expect((await api.get(`/invoice/${open.openInvoiceId}`, paysLate.client.auth)).body).toMatchObject({
      kind: "renewal",
      status: "open",
      amount: "10.00",
    });
    await credit(paysLate.client.clientId, "10.00");
    const collected = await runBillingCycle({
      now: later(paysLate.periodEnd, 3),
      grace: GRACE,
      partnerId: paysLate.partnerId,
    });
    expect(collected.renewalsPaid).toBe(1);
    expect(await subscription(api, paysLate.client)).toMatchObject({
      status: "ACTIVE",
      currentPeriodEnd: later(paysLate.periodEnd, 30).toISOString(),
    });

    const neverPays = await activeSubscriber({ amount: "10.00", balance: "10.00" });
    await runBillingCycle({ now: later(neverPays.periodEnd, 1), grace: GRACE, partnerId: neverPays.partnerId });
    const stillInGrace = await runBillingCycle({
      now: later(neverPays.periodEnd, 6.9),
      grace: GRACE,
      partnerId: neverPays.partnerId,
    });
    expect(stillInGrace.lapsed).toBe(0);
    // Through the CLI, as an operator would run it.
    const lapsed = await billingRun({
      now: later(neverPays.periodEnd, 7).toISOString(),
      partner: String(neverPays.partnerId),
    });
    expect(lapsed.json).toMatchObject({ lapsed: 1 });
    expect(await subscription(api, neverPays.client)).toMatchObject({ status: "CANCELLED", openInvoiceId: null });
    // Told once that the renewal is unpaid (not at every retry), with the last day, then that it ended.
    const told = await billingEmailsTo(neverPays.client.email);
    expect(told.map((e) => e.template)).toEqual(["payment_received", "renewal_unpaid", "subscription_ended"]);
    expect(told[1]!.text).toContain(`by ${later(neverPays.periodEnd, 7).toISOString().slice(0, 10)}`);
    expect(told[2]!.text).toContain("was not paid in time");
    expect((await billingEmailsTo(paysLate.client.email)).map((e) => e.template)).toEqual([
      "payment_received",
      "renewal_unpaid",
      "payment_received",
    ]);
    expect((await invoicesOf(neverPays.subscriptionId)).map((i) => `${i.kind}:${i.status}`)).toEqual([
      "initial:paid",
      "renewal:void",
    ]);
    expect(await balanceOf(api, neverPays.client)).toBe("0.00");
    const [event] = await getDb()
      .select({ actorType: auditEvents.actorType })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, neverPays.subscriptionId), eq(auditEvents.action, "subscription.lapsed")));
    expect(event).toEqual({ actorType: "system" });
  });

  it("ends a DEACTIVATING subscription at period end without charging again", async () => {
    const s = await activeSubscriber({ amount: "10.00", balance: "50.00" });
    const cancel = await api.post(`/reg/subscription/${s.subscriptionId}/cancel`, undefined, s.client.auth);
    expect(cancel.body.status).toBe("DEACTIVATING");
    expect((await runBillingCycle({ now: later(s.periodEnd, -1), grace: GRACE, partnerId: s.partnerId })).ended).toBe(
      0,
    );
    expect((await subscription(api, s.client)).status).toBe("DEACTIVATING");
    const report = await runBillingCycle({ now: later(s.periodEnd, 0.01), grace: GRACE, partnerId: s.partnerId });
    expect(report).toMatchObject({ ended: 1, renewalsIssued: 0 });
    expect(await subscription(api, s.client)).toMatchObject({ status: "CANCELLED" });
    expect(await balanceOf(api, s.client)).toBe("40.00");
    expect((await invoicesOf(s.subscriptionId)).map((i) => i.kind)).toEqual(["initial"]);
    const emails = await billingEmailsTo(s.client.email);
    expect(emails.map((e) => e.template)).toEqual(["payment_received", "subscription_ended"]);
    expect(emails[1]!.text).toContain("as you asked");
  });

  it("cancels a subscription whose first invoice stays unpaid after the grace period", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier({ amount: "10.00" });
    const client = await registerSubscriber(api, partner.id);
    const started = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    const createdAt = (
      await getDb()
        .select({ createdAt: subscriptions.createdAt })
        .from(subscriptions)
        .where(eq(subscriptions.id, started.body.subscriptionId))
    )[0]!.createdAt;
    expect(
      (
        await runBillingCycle({
          now: new Date(createdAt.getTime() + GRACE - 60_000),
          grace: GRACE,
          partnerId: partner.id,
        })
      ).lapsed,
    ).toBe(0);
    expect(
      (await runBillingCycle({ now: new Date(createdAt.getTime() + GRACE), grace: GRACE, partnerId: partner.id }))
        .lapsed,
    ).toBe(1);
    expect((await api.get(`/invoice/${started.body.id}`, client.auth)).body.status).toBe("void");
    expect((await subscription(api, client)).status).toBe("CANCELLED");
  });

  it("catches up on periods missed while nothing ran", async () => {
    const s = await activeSubscriber({ amount: "10.00", balance: "40.00" });
    const report = await runBillingCycle({ now: later(s.periodEnd, 65), grace: GRACE, partnerId: s.partnerId });
    expect(report).toMatchObject({ renewalsIssued: 3, renewalsPaid: 3 });
    expect(await subscription(api, s.client)).toMatchObject({
      status: "ACTIVE",
      currentPeriodEnd: later(s.periodEnd, 90).toISOString(),
    });
    expect(await balanceOf(api, s.client)).toBe("0.00");
    const tier2 = await tierCreate({ partner: String(s.partnerId), name: "Second", amount: "1.00", currency: "EUR" });
    expect(tier2.json!.id).toBeGreaterThan(s.tierId);
  });
});
