import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { webhookMessages } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { webhookAdd } from "../../server/cli/commands";
import { deliverDueWebhooks, enqueueWebhookEvent } from "../../server/webhooks/deliveries";
import { createTestPartner, useApi, whiteLabelBody, type TestPartner } from "../support/api";
import { callerFor, createTestStaff } from "../support/staff";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

/*
 * A partner's webhook receiver goes away while its clients keep changing.
 * The messages come from real changes (registrations and email confirmations
 * over the public API, a suspension in the back office); the real worker
 * (deliverDueWebhooks) delivers them to a real HTTP receiver that is first
 * gone (connection refused), then answering 500, then healthy. The retry
 * waits are minutes and hours, so instead of sleeping the worker is run at
 * the moments its schedule names (its `now`), after checking that it did
 * schedule each retry. Each run is narrowed to the test's partner, so other
 * files' messages are not moved along with this clock.
 */

const api = useApi();
let receiver: WebhookReceiver;

beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_PRIVATE_URLS = "1";
  resetConfigForTests();
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  resetConfigForTests();
  await receiver.close();
});

let seq = 0;
async function endpointOf(partner: TestPartner) {
  const path = `/outage-${++seq}`;
  const added = await webhookAdd({ partner: String(partner.id), url: `${receiver.base}${path}` });
  return { id: added.json!.id as string, path };
}

const messagesOf = (endpointId: string) =>
  getDb()
    .select()
    .from(webhookMessages)
    .where(eq(webhookMessages.endpointId, endpointId))
    .orderBy(asc(webhookMessages.createdAt), asc(webhookMessages.id));

/** Runs the worker once at `at`, as often as it finds a full batch. */
async function runAt(partner: TestPartner, at: Date, limit?: number) {
  while (await deliverDueWebhooks({ partnerId: partner.id, now: () => at, ...(limit ? { limit } : {}) }));
}

/** The latest next attempt among the messages still waiting: by then every one of them is due. */
async function whenAllDue(endpointId: string): Promise<Date> {
  const waiting = (await messagesOf(endpointId)).filter((m) => m.status === "pending");
  return new Date(Math.max(...waiting.map((m) => m.nextAttemptAt.getTime())) + 1);
}

/** Each client's messages in the order they were written, and in the order the receiver accepted them. */
function ordersPerClient(messages: { id: string; clientId: string | null }[], receiver: WebhookReceiver, path: string) {
  const written = new Map<string, string[]>();
  for (const m of messages) written.set(m.clientId!, [...(written.get(m.clientId!) ?? []), m.id]);
  const accepted = new Map<string, string[]>();
  for (const r of receiver.at(path).filter((r) => r.answered < 300)) {
    const clientId = (JSON.parse(r.body) as { data: { clientId: string } }).data.clientId;
    accepted.set(clientId, [...(accepted.get(clientId) ?? []), r.id]);
  }
  return { written: Object.fromEntries(written), accepted: Object.fromEntries(accepted) };
}

describe("the webhook receiver is down for a while", () => {
  it("gets every message exactly once, in order per client, after being refused, then answering 500, for three attempts", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const endpoint = await endpointOf(partner);
    await receiver.down();

    // Three clients register, confirm their email, and one is suspended: 3 × 3 messages + 1.
    const operations = await createTestStaff("operations");
    const clientIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const registered = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(partner.id) });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      clientIds.push(registered.body.clientId as string);
    }
    for (const clientId of clientIds)
      expect((await api.post("/api/public/confirm-email", { clientId, code: "12345" })).status).toBe(200);
    await callerFor(operations).client.setState({
      clientId: clientIds[0]!,
      state: "suspended",
      reason: "Outage drill",
    });
    const written = await messagesOf(endpoint.id);
    expect(written).toHaveLength(10);

    // Attempt 1 and 2: nothing listens. Only each client's first message is tried; the others wait behind it.
    let at = new Date();
    for (const attempt of [1, 2]) {
      await runAt(partner, at);
      const messages = await messagesOf(endpoint.id);
      const tried = messages.filter((m) => m.attempts > 0);
      expect(tried.map((m) => m.clientId).sort()).toEqual([...clientIds].sort());
      for (const m of tried) {
        expect(m).toMatchObject({
          status: "pending",
          attempts: attempt,
          eventType: "client.registered",
          lastStatusCode: null,
          claimedUntil: null,
        });
        expect(m.lastError).toMatch(/ECONNREFUSED/);
        // Retried no sooner than the schedule says: about 5 s, then about 5 min (±20%).
        expect(m.nextAttemptAt.getTime() - at.getTime()).toBeGreaterThanOrEqual(attempt === 1 ? 4_000 : 240_000);
      }
      // Not yet due: a run in between sends nothing.
      await runAt(partner, new Date(at.getTime() + 1_000));
      expect((await messagesOf(endpoint.id)).filter((m) => m.attempts > attempt)).toEqual([]);
      at = await whenAllDue(endpoint.id);
    }
    expect(receiver.at(endpoint.path)).toEqual([]);

    // Attempt 3: the receiver is back but failing.
    await receiver.up();
    receiver.script.set(endpoint.path, [500, 500, 500, 200]);
    await runAt(partner, at);
    const third = (await messagesOf(endpoint.id)).filter((m) => m.attempts > 0);
    expect(third.map((m) => [m.attempts, m.lastStatusCode, m.status])).toEqual(
      clientIds.map(() => [3, 500, "pending"]),
    );
    expect(receiver.at(endpoint.path).map((r) => r.answered)).toEqual([500, 500, 500]);

    // Then healthy: the worker catches up, one message per client at a time.
    for (let round = 0; round < 10 && (await messagesOf(endpoint.id)).some((m) => m.status !== "delivered"); round++) {
      at = await whenAllDue(endpoint.id);
      await runAt(partner, at);
    }

    const delivered = await messagesOf(endpoint.id);
    expect(delivered.map((m) => m.status)).toEqual(written.map(() => "delivered"));
    const accepted = receiver
      .at(endpoint.path)
      .filter((r) => r.answered < 300)
      .map((r) => r.id);
    expect(accepted.sort()).toEqual(written.map((m) => m.id).sort());
    for (const m of delivered) expect(m.attempts).toBe(m.eventType === "client.registered" ? 4 : 1);
    const orders = ordersPerClient(written, receiver, endpoint.path);
    expect(orders.accepted).toEqual(orders.written);
    // Every retry of a message carried its webhook-id.
    const firsts = written.filter((m) => m.eventType === "client.registered").map((m) => m.id);
    for (const id of firsts)
      expect(
        receiver
          .at(endpoint.path)
          .filter((r) => r.id === id)
          .map((r) => r.answered),
      ).toEqual([500, 200]);
  });

  it("two workers racing over one backlog deliver each message once, each client's in order", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const endpoint = await endpointOf(partner);
    // Slow answers keep both workers' batches in flight at once.
    receiver.delayMs = 20;
    const clients = Array.from({ length: 6 }, () => crypto.randomUUID());
    try {
      for (let n = 1; n <= 4; n++) {
        for (const clientId of clients) {
          await getDb().transaction((tx) =>
            enqueueWebhookEvent(tx, {
              partnerId: partner.id,
              type: "client.state_changed",
              data: { clientId, partnerId: partner.id, n },
              clientId,
            }),
          );
        }
      }
      const written = await messagesOf(endpoint.id);
      // The first round fails for everyone: the backlog is then retried by both workers at once.
      receiver.script.set(endpoint.path, [...clients.map(() => 500), 200]);
      let at = new Date();
      await Promise.all([runAt(partner, at, 2), runAt(partner, at, 2)]);
      for (
        let round = 0;
        round < 10 && (await messagesOf(endpoint.id)).some((m) => m.status !== "delivered");
        round++
      ) {
        at = await whenAllDue(endpoint.id);
        await Promise.all([runAt(partner, at, 2), runAt(partner, at, 2)]);
      }

      const accepted = receiver
        .at(endpoint.path)
        .filter((r) => r.answered < 300)
        .map((r) => r.id);
      expect(accepted).toHaveLength(written.length);
      expect(new Set(accepted).size).toBe(written.length);
      expect((await messagesOf(endpoint.id)).every((m) => m.status === "delivered")).toBe(true);
      const orders = ordersPerClient(written, receiver, endpoint.path);
      expect(orders.accepted).toEqual(orders.written);
    } finally {
      receiver.delayMs = 0;
    }
  });
});
