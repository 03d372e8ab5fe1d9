import { desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { apiKeys, emailOutbox, invoices, partners, pendingRegistrations, subscriptions } from "../../db/schema";
import { appRouter } from "../../server/api/root";
import type { ProcedureMeta } from "../../server/api/trpc";
import { STRONG_PARTNER_PASSWORD, uniqueEmail, useApi, whiteLabelBody } from "../support/api";
import { registerSubscriber, sandboxPartnerWithTier } from "../support/billing";
import { fingerprint } from "../support/fingerprint";
import { callerFor, createTestStaff, trpcOutcome } from "../support/staff";

/**
 * A KAM reaching another KAM's partner by id: every procedure whose input
 * names a partner, client, tier, key, invoice, subscription, pending
 * registration, email or staff member is called by KAM A with the ids of
 * KAM B's partner. The list is taken from the router, so a new procedure
 * taking an id fails here until it is given an attempt below.
 */

const api = useApi();

interface Foreign {
  partnerId: number;
  clientId: string;
  tierId: number;
  keyId: string;
  invoiceId: string;
  subscriptionId: string;
  pendingId: string;
  emailId: string;
  kamId: string;
  endpointId: string;
  messageId: string;
}

const reason = "Trying another KAM's partner";

/** What KAM A sends, per procedure, aimed at KAM B's partner. */
const attempts: Record<string, (b: Foreign) => unknown> = {
  "apiKey.list": (b) => ({ partnerId: b.partnerId }),
  "apiKey.create": (b) => ({ partnerId: b.partnerId, name: "stolen key" }),
  "apiKey.revoke": (b) => ({ keyId: b.keyId }),
  "audit.list": (b) => ({ partnerId: b.partnerId }),
  "billing.get": (b) => ({ clientId: b.clientId }),
  "billing.credit": (b) => ({ clientId: b.clientId, amount: "10", note: reason }),
  "client.list": (b) => ({ partnerId: b.partnerId }),
  "client.get": (b) => ({ id: b.clientId }),
  "client.setState": (b) => ({ clientId: b.clientId, state: "blocked", reason }),
  "client.setVerification": (b) => ({
    clientId: b.clientId,
    verificationStatus: "identified",
    verificationLevel: 5,
    reason,
  }),
  "client.revokeSession": (b) => ({ clientId: b.clientId }),
  "client.sendPasswordReset": (b) => ({ clientId: b.clientId }),
  "client.count": (b) => ({ partnerId: b.partnerId }),
  "client.bulk": (b) => ({
    action: "block",
    reason,
    selection: { clientIds: [{ id: b.clientId, updatedAt: "2026-01-01T00:00:00.000000Z" }] },
  }),
  "client.bulkCancel": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "client.bulkGet": () => ({ id: "00000000-0000-4000-8000-000000000000" }),
  "import.list": (b) => ({ partnerId: b.partnerId }),
  "invoice.list": (b) => ({ partnerId: b.partnerId }),
  "invoice.void": (b) => ({ invoiceId: b.invoiceId, reason }),
  "kyc.queue": (b) => ({ partnerId: b.partnerId }),
  "kyc.get": (b) => ({ id: b.clientId }),
  "kyc.decide": (b) => ({ clientId: b.clientId, decision: "approve" }),
  "outbox.get": (b) => ({ id: b.emailId }),
  "outbox.retry": (b) => ({ id: b.emailId }),
  "overview.funnel": (b) => ({ partnerId: b.partnerId }),
  "partner.create": (b) => ({ name: "Planted on another KAM", ownerStaffId: b.kamId }),
  "partner.get": (b) => ({ partnerId: b.partnerId }),
  "partner.update": (b) => ({ partnerId: b.partnerId, name: "Taken over", sandbox: false }),
  "partner.suspend": (b) => ({ partnerId: b.partnerId, reason }),
  "partner.reactivate": (b) => ({ partnerId: b.partnerId, reason }),
  "partner.reassign": (b) => ({ partnerId: b.partnerId, ownerStaffId: b.kamId }),
  "partner.hosts": (b) => ({ partnerId: b.partnerId }),
  "partner.setHosts": (b) => ({
    partnerId: b.partnerId,
    hosts: ["taken-over.example.com"],
    allowedOrigins: ["https://taken-over.example.com"],
  }),
  "pending.list": (b) => ({ partnerId: b.partnerId }),
  "pending.resend": (b) => ({ kind: "registration", id: b.pendingId }),
  "pending.cancel": (b) => ({ kind: "registration", id: b.pendingId }),
  "registration.create": (b) => ({ ...whiteLabelBody(), partnerId: b.partnerId }),
  "staff.requireTotp": (b) => ({ staffId: b.kamId, required: true }),
  "staff.unlock": (b) => ({ staffId: b.kamId }),
  "staff.deactivate": (b) => ({ staffId: b.kamId }),
  "staff.resetTotp": (b) => ({ staffId: b.kamId }),
  "staff.resetPassword": (b) => ({ staffId: b.kamId }),
  "staff.reactivate": (b) => ({ staffId: b.kamId }),
  "staff.changeRole": (b) => ({ staffId: b.kamId, role: "admin" }),
  "subscription.list": (b) => ({ partnerId: b.partnerId }),
  "subscription.cancel": (b) => ({ subscriptionId: b.subscriptionId, reason }),
  "tier.list": (b) => ({ partnerId: b.partnerId }),
  "tier.get": (b) => ({ tierId: b.tierId }),
  "tier.create": (b) => ({ partnerId: b.partnerId, name: "Injected", amount: "1.00", currency: "EUR" }),
  "tier.update": (b) => ({ tierId: b.tierId, name: "Renamed" }),
  "tier.archive": (b) => ({ tierId: b.tierId }),
  "tier.restore": (b) => ({ tierId: b.tierId }),
  "tier.move": (b) => ({ tierId: b.tierId, direction: "down" }),
  "webhook.list": (b) => ({ partnerId: b.partnerId }),
  "webhook.add": (b) => ({ partnerId: b.partnerId, url: "https://listener.example.com/stolen" }),
  "webhook.update": (b) => ({ endpointId: b.endpointId, url: "https://listener.example.com/redirected" }),
  "webhook.rotate": (b) => ({ endpointId: b.endpointId }),
  "webhook.remove": (b) => ({ endpointId: b.endpointId }),
  "webhook.deliveries": (b) => ({ endpointId: b.endpointId }),
  "webhook.resend": (b) => ({ messageId: b.messageId }),
  "webhook.test": (b) => ({ endpointId: b.endpointId }),
};

/** Where the answer is not NOT_FOUND by design: the other KAM's id is not a secret, naming them as owner is simply not allowed. */
const expectedCode: Record<string, string> = { "partner.create": "FORBIDDEN" };

const ID_KEY =
  /^(id|partnerId|clientId|tierId|keyId|invoiceId|subscriptionId|staffId|familyId|ownerStaffId|endpointId|messageId)$/;

type AnyProcedure = { _def: { type: string; inputs: unknown[]; meta?: Partial<ProcedureMeta> } };
const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;

/** The object keys anywhere in a zod schema (through optional, default, pipe, refine, union …). */
function keysOf(schema: unknown, seen = new Set<unknown>()): string[] {
  if (schema === null || (typeof schema !== "object" && typeof schema !== "function") || seen.has(schema)) return [];
  seen.add(schema);
  const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (!def) return [];
  const keys: string[] = [];
  if (def.shape && typeof def.shape === "object") {
    for (const [key, child] of Object.entries(def.shape as Record<string, unknown>))
      keys.push(key, ...keysOf(child, seen));
  }
  for (const name of ["innerType", "in", "out", "left", "right", "schema", "element"])
    keys.push(...keysOf(def[name], seen));
  if (Array.isArray(def.options)) for (const option of def.options) keys.push(...keysOf(option, seen));
  return keys;
}

const takingIds = Object.entries(procedures)
  .filter(([, p]) => p._def.inputs.some((input) => keysOf(input).some((k) => ID_KEY.test(k))))
  .map(([name]) => name)
  .sort();

describe("a KAM reaching another KAM's partner by id", () => {
  let kamA: Awaited<ReturnType<typeof createTestStaff>>;
  let b: Foreign;
  let bPartnerName: string;

  beforeAll(async () => {
    const [a, kamB] = await Promise.all([createTestStaff("kam"), createTestStaff("kam")]);
    kamA = a;
    const { partner, tierId } = await sandboxPartnerWithTier();
    await getDb().update(partners).set({ ownerStaffId: kamB.id }).where(eq(partners.id, partner.id));
    bPartnerName = partner.name;
    const client = await registerSubscriber(api, partner.id);
    const started = await api.post(
      "/reg/subscription",
      { accountId: client.accountId, subscriptionDetailsId: tierId },
      client.auth,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    // A registration left waiting for its code.
    const waiting = uniqueEmail("waiting");
    expect(
      (
        await api.post(
          "/reg/user",
          { userType: "CUSTOMER", email: waiting, password: STRONG_PARTNER_PASSWORD },
          { partnerId: String(partner.id) },
        )
      ).status,
    ).toBe(202);
    const db = getDb();
    const [key] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.partnerId, partner.id));
    const [invoice] = await db.select({ id: invoices.id }).from(invoices).where(eq(invoices.partnerId, partner.id));
    const [subscription] = await db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(eq(subscriptions.partnerId, partner.id));
    const [pending] = await db
      .select({ id: pendingRegistrations.id })
      .from(pendingRegistrations)
      .where(eq(pendingRegistrations.email, waiting));
    const [email] = await db
      .select({ id: emailOutbox.id })
      .from(emailOutbox)
      .where(eq(emailOutbox.partnerId, partner.id))
      .orderBy(desc(emailOutbox.createdAt))
      .limit(1);
    // KAM B's webhook endpoint and a message sent to it.
    const asKamB = callerFor(kamB);
    const endpoint = await asKamB.webhook.add({ partnerId: partner.id, url: "https://hooks.example.com/gatehouse" });
    const { messageId } = await asKamB.webhook.test({ endpointId: endpoint.id });
    b = {
      partnerId: partner.id,
      clientId: client.clientId,
      tierId,
      keyId: key!.id,
      invoiceId: invoice!.id,
      subscriptionId: subscription!.id,
      pendingId: pending!.id,
      emailId: email!.id,
      kamId: kamB.id,
      endpointId: endpoint.id,
      messageId,
    };
  });

  it("has an attempt for every procedure that takes an id, and no attempt for a procedure that is gone", () => {
    expect(takingIds.length).toBeGreaterThan(20);
    expect(takingIds).toEqual(Object.keys(attempts).sort());
  });

  it.each(Object.keys(attempts).sort())(
    "%s answers NOT_FOUND (or FORBIDDEN by role) and changes nothing",
    async (name) => {
      const procedure = procedures[name];
      expect(procedure, `${name} is not in the router`).toBeDefined();
      const kamMayCall = procedure!._def.meta?.roles?.includes("kam") ?? false;
      const state = async () => ({
        data: await fingerprint({ partnerIds: [b.partnerId], staffIds: [b.kamId] }),
        ownedByB: await getDb().$count(partners, eq(partners.ownerStaffId, b.kamId)),
      });
      const before = await state();

      const fn = name.split(".").reduce<any>((node, key) => node?.[key], callerFor(kamA)) as (
        input: unknown,
      ) => Promise<unknown>;
      const outcome = await trpcOutcome(fn(attempts[name]!(b)));
      const { code } = outcome;
      const result = "value" in outcome ? outcome.value : undefined;

      if (expectedCode[name]) expect(code, name).toBe(expectedCode[name]);
      else if (!kamMayCall) expect(code, name).toBe("FORBIDDEN");
      else if (procedure!._def.type === "mutation" || code !== "OK") expect(code, name).toBe("NOT_FOUND");
      else {
        // A list filtered by a partner the KAM does not own may answer, but with nothing of that partner's.
        const text = JSON.stringify(result);
        for (const secret of [b.clientId, b.invoiceId, b.subscriptionId, b.pendingId, b.keyId, bPartnerName])
          expect(text, `${name} shows ${secret}`).not.toContain(secret);
      }
      expect(await state(), `${name} changed KAM B's data`).toEqual(before);
    },
  );
});
