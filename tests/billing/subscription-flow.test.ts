import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, ledgerEntries } from "../../db/schema";
import { setTierArchived } from "../../server/billing/tiers";
import { systemCaller } from "../../server/caller";
import { tierCreate } from "../../server/cli/commands";
import { codeIn, createTestPartner, latestEmailTo, STRONG_PARTNER_PASSWORD, uniqueEmail, useApi } from "../support/api";
import {
  balanceOf,
  credit,
  expectBalancedLedgerAfterEach,
  registerSubscriber,
  sandboxPartnerWithTier,
} from "../support/billing";
import { callerFor, createTestStaff } from "../support/staff";

const api = useApi();
expectBalancedLedgerAfterEach();

describe("the subscription flow of the partner API", () => {
  it("lists tiers, subscribes, pays from a sandbox credit and ends ACTIVE", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier({ amount: "9.99", initialAmount: "14.50" });
    const client = await registerSubscriber(api, partner.id);

    const tiers = await api.get("/reg/subscription/details/available", client.auth);
    expect(tiers.status).toBe(200);
    expect(tiers.body).toEqual([
      {
        id: tierId,
        name: "Premium",
        description: expect.any(String),
        level: expect.any(Number),
        amount: 9.99,
        initialPaymentAmount: 14.5,
        currency: "EUR",
        subscriptionInterval: "DAYS30",
        mostPopular: false,
        trialAvailable: false,
        details: { feature: expect.any(Array), tariffDetails: expect.any(Array) },
      },
    ]);

    await credit(client.clientId, "20.00");
    expect(await balanceOf(api, client)).toBe("20.00");

    const started = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId, anyCurrency: false },
      client.auth,
    );
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ result: 0, payUrl: expect.stringContaining(`/invoice/${started.body.id}`) });
    expect(started.body.desc).toEqual(expect.any(String));
    const invoiceId: string = started.body.id;

    const invoice = await api.get(`/invoice/${invoiceId}`, client.auth);
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({
      id: invoiceId,
      kind: "initial",
      amount: "14.50",
      currency: "EUR",
      status: "open",
      paymentId: null,
    });

    const listed = await api.get("/reg/subscription", client.auth);
    expect(listed.body).toEqual([
      expect.objectContaining({
        subscriptionDetailsId: tierId,
        status: "INIT",
        openInvoiceId: invoiceId,
        currentPeriodEnd: null,
      }),
    ]);

    const payment = await api.post(
      "/invoice/payment",
      { invoiceId, type: "PLATFORM", accountId: client.accountId, currency: "EUR" },
      client.auth,
    );
    expect(payment.status).toBe(201);
    expect(payment.body).toMatchObject({
      invoiceId,
      accountId: client.accountId,
      amount: "14.50",
      currency: "EUR",
      status: "PENDING",
    });
    // Get or create: asking again returns the same payment.
    const again = await api.post("/invoice/payment", { invoiceId }, client.auth);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(payment.body.id);

    const paid = await api.post("/invoice/payment/pay", { invoiceId }, client.auth);
    expect(paid.status).toBe(200);
    expect(paid.body.payment).toMatchObject({ id: payment.body.id, status: "PAID" });
    expect(paid.body.invoice).toMatchObject({ id: invoiceId, status: "paid", paymentId: payment.body.id });
    expect(paid.body.subscription).toMatchObject({ status: "ACTIVE", openInvoiceId: null });
    expect(paid.body).toMatchObject({ balance: "5.50", alreadyPaid: false });
    const periodStart = Date.parse(paid.body.subscription.currentPeriodStart);
    expect(Date.parse(paid.body.subscription.currentPeriodEnd) - periodStart).toBe(30 * 86_400_000);

    expect(await balanceOf(api, client)).toBe("5.50");
    const subs = await api.get("/reg/subscription", client.auth);
    expect(subs.body).toEqual([expect.objectContaining({ status: "ACTIVE", subscriptionDetailsId: tierId })]);

    // Paying again (by the payment's id this time) debits nothing.
    const twice = await api.post("/invoice/payment/pay", { paymentId: payment.body.id }, client.auth);
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ alreadyPaid: true, balance: "5.50" });
    expect(await balanceOf(api, client)).toBe("5.50");
    const debits = await getDb()
      .select({ amount: ledgerEntries.amountMinor })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.accountId, client.accountId));
    expect(debits.map((d) => d.amount).sort()).toEqual([-1450n, 2000n]);

    const audited = await getDb()
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "invoice"), eq(auditEvents.entityId, invoiceId)));
    expect(audited.map((a) => a.action)).toEqual(["invoice.paid"]);
  });

  it("refuses to pay more than the balance, debits nothing, and pays once the account is credited", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier({ amount: "30.00" });
    const client = await registerSubscriber(api, partner.id);
    await credit(client.clientId, "10.00");
    const started = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );

    const refused = await api.post("/invoice/payment/pay", { invoiceId: started.body.id }, client.auth);
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({
      code: "insufficient_funds",
      fields: [{ path: "accountId" }],
      details: { amount: "30.00", balance: "10.00" },
    });
    expect(await balanceOf(api, client)).toBe("10.00");
    expect((await api.get(`/invoice/${started.body.id}`, client.auth)).body.status).toBe("open");

    await credit(client.clientId, "25.00");
    const paid = await api.post("/invoice/payment/pay", { invoiceId: started.body.id }, client.auth);
    expect(paid.status).toBe(200);
    expect(paid.body.balance).toBe("5.00");
  });

  it("answers clear errors for foreign accounts, currency mismatches, duplicates, archived tiers and bad ids", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier();
    const client = await registerSubscriber(api, partner.id);
    const other = await registerSubscriber(api, partner.id);

    const foreign = await api.post(
      "/reg/subscription",
      { accountId: other.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toMatchObject({ code: "account_not_found", fields: [{ path: "accountId" }] });

    const usd = await tierCreate({ partner: String(partner.id), name: "Dollar plan", amount: "5.00", currency: "USD" });
    const mismatch = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: usd.json!.id },
      client.auth,
    );
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error).toMatchObject({ code: "currency_mismatch", fields: [{ path: "accountId" }] });

    const otherPartner = await sandboxPartnerWithTier();
    const notOffered = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: otherPartner.tierId },
      client.auth,
    );
    expect(notOffered.status).toBe(404);
    expect(notOffered.body.error).toMatchObject({
      code: "tier_not_found",
      fields: [{ path: "subscriptionDetailsId" }],
    });

    const first = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    expect(first.status).toBe(201);
    const second = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: "already_subscribed",
      fields: [{ path: "subscriptionDetailsId" }],
    });

    // Another client's invoice does not exist for this one.
    const theirs = await api.get(`/invoice/${first.body.id}`, other.auth);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe("invoice_not_found");
    const payTheirs = await api.post("/invoice/payment/pay", { invoiceId: first.body.id }, other.auth);
    expect(payTheirs.status).toBe(404);

    const wrongCurrency = await api.post(
      "/invoice/payment",
      { invoiceId: first.body.id, currency: "USD" },
      client.auth,
    );
    expect(wrongCurrency.status).toBe(422);
    expect(wrongCurrency.body.error).toMatchObject({ code: "currency_mismatch", fields: [{ path: "currency" }] });

    const badId = await api.get("/invoice/not-a-uuid", client.auth);
    expect(badId.status).toBe(422);
    expect(badId.body.error.fields).toEqual([{ path: "invoiceId", message: expect.any(String) }]);
    const badBody = await api.post("/reg/subscription", { accountId: 12, subscriptionDetailsId: "x" }, client.auth);
    expect(badBody.status).toBe(422);
    expect(badBody.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      "accountId",
      "subscriptionDetailsId",
    ]);
    const neither = await api.post("/invoice/payment/pay", {}, client.auth);
    expect(neither.status).toBe(422);
    expect(neither.body.error.fields[0].path).toBe("invoiceId");
    const noToken = await api.get("/reg/subscription/details/available");
    expect(noToken.status).toBe(401);

    // Archived tiers are no longer offered, and cannot be started.
    await setTierArchived(systemCaller("test"), { tierId, archived: true });
    const offered = await api.get("/reg/subscription/details/available", client.auth);
    expect(offered.body.map((t: { id: number }) => t.id)).not.toContain(tierId);
    const late = await api.post(
      "/reg/subscription",
      { accountId: other.accountId, subscriptionDetailsId: tierId },
      other.auth,
    );
    expect(late.status).toBe(404);
  });

  it("lists tiers in Vault's shape: numeric amounts, subscriptionInterval, features and tariff details (in their order) under details", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const admin = callerFor(await createTestStaff("admin"));
    const tier = await admin.tier.create({
      partnerId: partner.id,
      name: "Gold",
      description: "For teams",
      level: 3,
      amount: "1250.00",
      initialAmount: "0.50",
      currency: "EUR",
      features: ["Cards", "Priority support"],
      tariffDetails: [
        { key: "fx", label: "FX markup", order: 2, value: "0.5%" },
        { key: "limit", label: "Monthly limit", order: 1, value: "50,000 EUR" },
      ],
      mostPopular: true,
    });
    const client = await registerSubscriber(api, partner.id);
    const listed = await api.get("/reg/subscription/details/available", client.auth);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      {
        id: tier.id,
        name: "Gold",
        description: "For teams",
        level: 3,
        amount: 1250,
        initialPaymentAmount: 0.5,
        currency: "EUR",
        subscriptionInterval: "DAYS30",
        mostPopular: true,
        trialAvailable: false,
        details: {
          feature: ["Cards", "Priority support"],
          tariffDetails: [
            { key: "limit", label: "Monthly limit", order: 1, value: "50,000 EUR" },
            { key: "fx", label: "FX markup", order: 2, value: "0.5%" },
          ],
        },
      },
    ]);
  });

  it("cancels: an unpaid subscription ends at once with its invoice voided; a paid one runs to the end of its period", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier({ amount: "5.00" });
    const client = await registerSubscriber(api, partner.id);
    const unpaid = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    const cancelled = await api.post(`/reg/subscription/${unpaid.body.subscriptionId}/cancel`, undefined, client.auth);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "CANCELLED", openInvoiceId: null });
    expect((await api.get(`/invoice/${unpaid.body.id}`, client.auth)).body.status).toBe("void");
    const payVoid = await api.post("/invoice/payment/pay", { invoiceId: unpaid.body.id }, client.auth);
    expect(payVoid.status).toBe(409);
    expect(payVoid.body.error.code).toBe("invoice_not_payable");

    // Cancelled subscriptions do not block a new one to the same tier.
    await credit(client.clientId, "5.00");
    const fresh = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    expect(fresh.status).toBe(201);
    const paid = await api.post("/invoice/payment/pay", { invoiceId: fresh.body.id }, client.auth);
    const ending = await api.post(`/reg/subscription/${fresh.body.subscriptionId}/cancel`, undefined, client.auth);
    expect(ending.body).toMatchObject({
      status: "DEACTIVATING",
      currentPeriodEnd: paid.body.subscription.currentPeriodEnd,
    });
    // Asking again changes nothing.
    const repeat = await api.post(`/reg/subscription/${fresh.body.subscriptionId}/cancel`, undefined, client.auth);
    expect(repeat.body.status).toBe("DEACTIVATING");

    const foreign = await registerSubscriber(api, partner.id);
    const notTheirs = await api.post(`/reg/subscription/${fresh.body.subscriptionId}/cancel`, undefined, foreign.auth);
    expect(notTheirs.status).toBe(404);
  });

  it("credits sandbox accounts only, with a positive amount", async () => {
    const live = await createTestPartner({ sandbox: false });
    const email = uniqueEmail("live");
    const body = { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD };
    expect((await api.post("/reg/user", body, { partnerId: String(live.id) })).status).toBe(202);
    const code = codeIn((await latestEmailTo(email))?.text);
    const tokens = await api.post("/reg/user", { ...body, emailConfirmCode: code }, { partnerId: String(live.id) });
    expect(tokens.status).toBe(201);
    const liveClientId: string = tokens.body.user_id.slice(4);
    await expect(credit(liveClientId, "10.00")).rejects.toMatchObject({ code: "sandbox_only" });
    const liveAccounts = await api.get("/wallet/accounts", { authorization: `Bearer ${tokens.body.access_token}` });
    expect(liveAccounts.body[0].balance).toBe("0.00");

    const sandbox = await registerSubscriber(api, (await createTestPartner({ sandbox: true })).id);
    await expect(credit(sandbox.clientId, "0")).rejects.toThrow(/more than 0/);
    await expect(credit(sandbox.clientId, "-5")).rejects.toThrow();
    const credited = await credit(sandbox.clientId, "12.34");
    expect(credited.json).toMatchObject({ amount: "12.34", balance: "12.34", currency: "EUR" });
    const events = await getDb()
      .select({ action: auditEvents.action, after: auditEvents.after })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.entityType, "client"),
          eq(auditEvents.entityId, sandbox.clientId),
          eq(auditEvents.action, "account.credited"),
        ),
      );
    expect(events).toEqual([
      expect.objectContaining({ action: "account.credited", after: expect.objectContaining({ amount: "12.34" }) }),
    ]);
  });
});

describe("input the database would refuse", () => {
  it("refuses control characters in staff-typed text with a field error, and bad cursors as 400s", async () => {
    const { listInvoicesForStaff } = await import("../../server/billing/back-office");
    const partner = await createTestPartner({ sandbox: true });
    const admin = callerFor(await createTestStaff("admin"));
    await expect(
      admin.tier.create({ partnerId: partner.id, name: "Gold\u0000", amount: "1.00", currency: "EUR" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { issues: [expect.objectContaining({ path: ["name"], message: "Control characters are not allowed" })] },
    });
    for (const cursor of [
      Buffer.from("2024-13-45T99:99:99.000000Z|00000000-0000-4000-8000-000000000000").toString("base64url"),
      Buffer.from(`2024-01-01T00:00:00.000000Z|${"-".repeat(36)}`).toString("base64url"),
      "%%%",
    ]) {
      await expect(listInvoicesForStaff(systemCaller("test"), { cursor, limit: 50 })).rejects.toMatchObject({
        code: "invalid_request",
        fields: [{ path: "cursor" }],
      });
    }
  });
});
