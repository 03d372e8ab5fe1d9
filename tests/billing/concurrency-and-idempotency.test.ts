import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { idempotencyKeys, ledgerEntries, subscriptions } from "../../db/schema";
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

async function debitsOf(accountId: string) {
  return getDb()
    .select({ amount: ledgerEntries.amountMinor })
    .from(ledgerEntries)
    .where(sql`${ledgerEntries.accountId} = ${accountId} and ${ledgerEntries.amountMinor} < 0`);
}

async function unpaidSubscriber(amount = "7.00", balance = "100.00") {
  const { partner, tierId } = await sandboxPartnerWithTier({ amount });
  const client = await registerSubscriber(api, partner.id);
  await credit(client.clientId, balance);
  const started = await api.post(
    "/reg/subscription",
    { accountId: client.accountId, subscriptionDetailsId: tierId },
    client.auth,
  );
  expect(started.status).toBe(201);
  return {
    client,
    tierId,
    invoiceId: started.body.id as string,
    subscriptionId: started.body.subscriptionId as string,
  };
}

describe("paying one invoice many times at once", () => {
  it("debits exactly once for 50 concurrent pays without an idempotency key", async () => {
    const { client, invoiceId } = await unpaidSubscriber();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api.post("/invoice/payment/pay", { invoiceId }, client.auth)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((a) => a.body.alreadyPaid === false)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.payment.id)).size).toBe(1);
    expect(await debitsOf(client.accountId)).toEqual([{ amount: -700n }]);
    expect(await balanceOf(api, client)).toBe("93.00");
  });

  it("debits exactly once for 50 concurrent pays sharing one idempotency key, and replays the first answer", async () => {
    const { client, invoiceId } = await unpaidSubscriber();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.post("/invoice/payment/pay", { invoiceId }, { ...client.auth, "idempotency-key": key }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const replays = answers.filter((a) => a.headers.get("idempotent-replayed") === "true");
    expect(replays).toHaveLength(49);
    // Every answer is the first one, byte for byte: alreadyPaid false and the same balance.
    for (const answer of answers)
      expect(answer.body).toEqual(answers.find((a) => !a.headers.get("idempotent-replayed"))!.body);
    expect(answers[0]!.body).toMatchObject({ alreadyPaid: false, balance: "93.00" });
    expect(await debitsOf(client.accountId)).toEqual([{ amount: -700n }]);
  });

  it("starts one subscription for concurrent starts of the same tier", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier();
    const client = await registerSubscriber(api, partner.id);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.post("/reg/subscription", { accountId: client.accountId, subscriptionDetailsId: tierId }, client.auth),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const rows = await getDb()
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(eq(subscriptions.clientId, client.clientId));
    expect(rows).toHaveLength(1);
  });
});

describe("Idempotency-Key", () => {
  it("replays a start, refuses the key with another body, and rejects malformed keys", async () => {
    const { partner, tierId } = await sandboxPartnerWithTier();
    const client = await registerSubscriber(api, partner.id);
    const key = `start-${randomUUID()}`;
    const body = { accountId: client.accountId, subscriptionDetailsId: tierId };
    const first = await api.post("/reg/subscription", body, { ...client.auth, "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    // The same request in another key order and formatting is the same request.
    const again = await api.post(
      "/reg/subscription",
      JSON.stringify({ subscriptionDetailsId: tierId, accountId: client.accountId }, null, 2),
      {
        ...client.auth,
        "content-type": "application/json",
        "idempotency-key": key,
      },
    );
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);

    const other = await api.post(
      "/reg/subscription",
      { ...body, anyCurrency: true },
      { ...client.auth, "idempotency-key": key },
    );
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ code: "idempotency_key_reused", fields: [{ path: "Idempotency-Key" }] });
    // The key belongs to one path: reusing it to pay is another request.
    const elsewhere = await api.post(
      "/invoice/payment/pay",
      { invoiceId: first.body.id },
      { ...client.auth, "idempotency-key": key },
    );
    expect(elsewhere.status).toBe(422);

    const malformed = await api.post("/reg/subscription", body, { ...client.auth, "idempotency-key": "x".repeat(256) });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({
      code: "idempotency_key_invalid",
      fields: [{ path: "Idempotency-Key" }],
    });
  });

  it("stores nothing for a failed request, so the same key works once the cause is fixed", async () => {
    const { client, invoiceId } = await unpaidSubscriber("30.00", "10.00");
    const key = randomUUID();
    const refused = await api.post("/invoice/payment/pay", { invoiceId }, { ...client.auth, "idempotency-key": key });
    expect(refused.status).toBe(402);
    const stored = await getDb().select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(stored).toEqual([]);

    await credit(client.clientId, "20.00");
    const paid = await api.post("/invoice/payment/pay", { invoiceId }, { ...client.auth, "idempotency-key": key });
    expect(paid.status).toBe(200);
    expect(paid.headers.get("idempotent-replayed")).toBeNull();
    expect(paid.body.balance).toBe("0.00");
  });

  it("keeps keys per client: another client's identical key is its own", async () => {
    const a = await unpaidSubscriber();
    const b = await unpaidSubscriber();
    const key = randomUUID();
    const paidA = await api.post(
      "/invoice/payment/pay",
      { invoiceId: a.invoiceId },
      { ...a.client.auth, "idempotency-key": key },
    );
    const paidB = await api.post(
      "/invoice/payment/pay",
      { invoiceId: b.invoiceId },
      { ...b.client.auth, "idempotency-key": key },
    );
    expect([paidA.status, paidB.status]).toEqual([200, 200]);
    expect(paidB.headers.get("idempotent-replayed")).toBeNull();
    expect(paidB.body.invoice.id).toBe(b.invoiceId);
  });
});
