import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { partners, subscriptionTiers } from "../../db/schema";
import { createTestPartner, useApi } from "../support/api";
import { registerSubscriber, sandboxPartnerWithTier } from "../support/billing";
import { callerFor, createTestStaff } from "../support/staff";

/** The billing and tier procedures beyond their roles: amounts cross as text, and a KAM stays within their partners. */

const api = useApi();

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

describe("billing procedures", () => {
  let operations: Awaited<ReturnType<typeof createTestStaff>>;
  let kam: Awaited<ReturnType<typeof createTestStaff>>;
  beforeAll(async () => {
    [operations, kam] = await Promise.all([createTestStaff("operations"), createTestStaff("kam")]);
  });

  it("creates and edits a tier from the decimal strings a form sends, and shows field errors for bad ones", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const caller = callerFor(operations);
    const created = await caller.tier.create({
      partnerId: partner.id,
      name: "Gold",
      amount: "12.50",
      initialAmount: "20",
      currency: "EUR",
      features: ["Cards"],
    });
    expect(created).toMatchObject({
      name: "Gold",
      amount: "12.50",
      initialPaymentAmount: "20.00",
      currency: "EUR",
      features: ["Cards"],
    });
    const [stored] = await getDb()
      .select({ amountMinor: subscriptionTiers.amountMinor })
      .from(subscriptionTiers)
      .where(eq(subscriptionTiers.id, created.id));
    expect(stored?.amountMinor).toBe(1250n);

    const updated = await caller.tier.update({ tierId: created.id, amount: "13.00", name: "Gold" });
    expect(updated.changed).toEqual(["amountMinor"]);

    const refused = await caller.tier
      .create({ partnerId: partner.id, name: "Bad", amount: "12.345", currency: "EUR" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe("BAD_REQUEST");
  });

  it("credits a sandbox client from a decimal string, and the client's billing shows on their page", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier({ amount: "9.99" });
    const client = await registerSubscriber(api, partner.id);
    const caller = callerFor(operations);
    const credit = await caller.billing.credit({ clientId: client.clientId, amount: "50", note: "Testing" });
    expect(credit).toMatchObject({ amount: "50.00", balance: "50.00", currency: "EUR", note: "Testing" });

    const started = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    expect(started.status).toBe(201);
    const billing = await caller.billing.get({ clientId: client.clientId });
    expect(billing.partner).toEqual({ id: partner.id, sandbox: true });
    expect(billing.subscriptions).toEqual([expect.objectContaining({ tierId, status: "INIT", amount: "9.99" })]);
    expect(billing.invoices).toEqual([
      expect.objectContaining({ id: started.body.id, status: "open", amount: "9.99" }),
    ]);

    // The tier list counts the subscription as live, and a second tier moves above it.
    const second = await caller.tier.create({ partnerId: partner.id, name: "Basic", amount: "1.00", currency: "EUR" });
    expect(await caller.tier.move({ tierId: second.id, direction: "up" })).toEqual({ moved: true });
    const tiers = await caller.tier.list({ partnerId: partner.id });
    expect(tiers.map((t) => [t.id, t.liveSubscribers])).toEqual([
      [second.id, 0],
      [tierId, 1],
    ]);
    expect((await caller.tier.get({ tierId })).subscribers).toEqual([
      expect.objectContaining({ clientId: client.clientId, status: "INIT" }),
    ]);
  });

  it("lets a KAM read only their own partners' tiers and clients' billing", async () => {
    const [own, foreign] = await Promise.all([sandboxPartnerWithTier(), sandboxPartnerWithTier()]);
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, own.partner.id));
    const [ownClient, foreignClient] = await Promise.all([
      registerSubscriber(api, own.partner.id),
      registerSubscriber(api, foreign.partner.id),
    ]);
    const caller = callerFor(kam);

    expect((await caller.tier.list({ partnerId: own.partner.id })).map((t) => t.id)).toEqual([own.tierId]);
    expect(await codeOf(caller.tier.list({ partnerId: foreign.partner.id }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.tier.get({ tierId: foreign.tierId }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.tier.archive({ tierId: foreign.tierId }))).toBe("NOT_FOUND");

    expect((await caller.billing.get({ clientId: ownClient.clientId })).partner.id).toBe(own.partner.id);
    // A foreign client answers exactly like an unknown one.
    expect(await codeOf(caller.billing.get({ clientId: foreignClient.clientId }))).toBe("NOT_FOUND");
    expect(await codeOf(caller.billing.get({ clientId: "00000000-0000-4000-8000-000000000000" }))).toBe("NOT_FOUND");
  });
});
