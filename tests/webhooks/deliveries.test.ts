import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, asc, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { emailOutbox, partners, webhookAttempts, webhookEndpoints, webhookMessages } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { sealSecret } from "../../server/crypto";
import {
  DISABLE_AFTER_MS,
  deliverDueWebhooks,
  enqueueWebhookEvent,
  SECRET_PURPOSE,
} from "../../server/webhooks/deliveries";
import { newWebhookSecret } from "../../server/webhooks/signing";
import { createTestPartner, type TestPartner } from "../support/api";
import { createTestStaff } from "../support/staff";

/**
 * The webhook outbox against a receiver of the test's own, with the clock
 * moved by hand: each run is narrowed to the test's partner so that no other
 * test's messages move with it.
 */

interface Received {
  path: string;
  id: string;
  body: string;
  verified: boolean;
}

const received: Received[] = [];
/** What the receiver answers next, per path (the last entry repeats). */
const script = new Map<string, number[]>();
let server: http.Server;
let base: string;
const secrets = new Map<string, string>();
/** Answers held back, per path, in arrival order: each request waits for its gate's status. */
const gates = new Map<string, Promise<number>[]>();

function gate(): { promise: Promise<number>; open: (status: number) => void } {
  let open!: (status: number) => void;
  const promise = new Promise<number>((resolve) => (open = resolve));
  return { promise, open };
}

beforeAll(async () => {
  process.env.WEBHOOK_ALLOW_PRIVATE_URLS = "1";
  resetConfigForTests();
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const path = req.url ?? "";
      const secret = secrets.get(path);
      let verified = false;
      try {
        if (secret) verified = new Webhook(secret).verify(body, req.headers as Record<string, string>) !== undefined;
      } catch {
        verified = false;
      }
      received.push({ path, id: String(req.headers["webhook-id"]), body, verified });
      const gate = gates.get(path)?.shift();
      if (gate) {
        void gate.then((status) => res.writeHead(status).end());
        return;
      }
      const plan = script.get(path) ?? [200];
      const status = plan.length > 1 ? plan.shift()! : plan[0]!;
      res.writeHead(status).end(status >= 300 ? "not now" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  resetConfigForTests();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let seq = 0;
async function endpointFor(partner: TestPartner, o: { eventTypes?: string[]; enabled?: boolean } = {}) {
  const path = `/hook-${++seq}`;
  const secret = newWebhookSecret();
  secrets.set(path, secret);
  const [row] = await getDb()
    .insert(webhookEndpoints)
    .values({
      partnerId: partner.id,
      url: `${base}${path}`,
      eventTypes: o.eventTypes ?? [],
      enabled: o.enabled ?? true,
      secretSealed: sealSecret(SECRET_PURPOSE, secret),
    })
    .returning({ id: webhookEndpoints.id });
  return { id: row!.id, path };
}

const event = (partner: TestPartner, clientId: string, n: number) =>
  getDb().transaction((tx) =>
    enqueueWebhookEvent(tx, {
      partnerId: partner.id,
      type: "client.state_changed",
      data: { clientId, partnerId: partner.id, state: `s${n}` },
      clientId,
    }),
  );

/** Runs the worker for one partner at a given moment until nothing more is due then. */
async function runAt(partner: TestPartner, at: Date) {
  while (await deliverDueWebhooks({ partnerId: partner.id, now: () => at }));
}

const messagesOf = (endpointId: string) =>
  getDb()
    .select()
    .from(webhookMessages)
    .where(eq(webhookMessages.endpointId, endpointId))
    .orderBy(asc(webhookMessages.createdAt), asc(webhookMessages.id));

describe("webhook deliveries", () => {
  it("writes one message per interested endpoint, in the change's transaction, and none when the change rolls back", async () => {
    const partner = await createTestPartner();
    const all = await endpointFor(partner);
    const onlyKyc = await endpointFor(partner, { eventTypes: ["kyc.decided"] });
    const off = await endpointFor(partner, { enabled: false });
    expect(await event(partner, crypto.randomUUID(), 1)).toBe(1);
    await expect(
      getDb().transaction(async (tx) => {
        await enqueueWebhookEvent(tx, {
          partnerId: partner.id,
          type: "client.state_changed",
          data: {},
          clientId: null,
        });
        throw new Error("the change fails");
      }),
    ).rejects.toThrow("the change fails");
    expect((await messagesOf(all.id)).length).toBe(1);
    expect(await messagesOf(onlyKyc.id)).toEqual([]);
    expect(await messagesOf(off.id)).toEqual([]);
  });

  it("signs each delivery so the reference library verifies it; a 500 is retried about 5 s later with the same webhook-id, and a 2xx ends the message", async () => {
    const partner = await createTestPartner();
    const ep = await endpointFor(partner);
    script.set(ep.path, [500, 200]);
    await event(partner, crypto.randomUUID(), 1);
    const t0 = new Date();
    await runAt(partner, t0);
    let [message] = await messagesOf(ep.id);
    expect(message).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
    const wait = message!.nextAttemptAt.getTime() - t0.getTime();
    expect(wait).toBeGreaterThanOrEqual(4_000);
    expect(wait).toBeLessThanOrEqual(6_500);

    await runAt(partner, new Date(t0.getTime() + 1_000));
    expect(received.filter((r) => r.path === ep.path)).toHaveLength(1);
    await runAt(partner, new Date(t0.getTime() + 10_000));
    [message] = await messagesOf(ep.id);
    expect(message).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200 });
    const hits = received.filter((r) => r.path === ep.path);
    expect(hits.map((h) => h.id)).toEqual([message!.id, message!.id]);
    expect(hits.every((h) => h.verified)).toBe(true);
    expect(JSON.parse(hits[0]!.body)).toMatchObject({
      type: "client.state_changed",
      timestamp: expect.any(String),
      data: { partnerId: partner.id, state: "s1" },
    });

    // Delivered is final: later runs send nothing more.
    await runAt(partner, new Date(t0.getTime() + 3_600_000));
    expect(received.filter((r) => r.path === ep.path)).toHaveLength(2);
    const attempts = await getDb()
      .select()
      .from(webhookAttempts)
      .where(eq(webhookAttempts.messageId, message!.id))
      .orderBy(asc(webhookAttempts.attempt));
    expect(attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  });

  it("delivers one client's messages in the order they were written, even when the first ones fail", async () => {
    const partner = await createTestPartner();
    const ep = await endpointFor(partner);
    script.set(ep.path, [503, 503, 503, 200]);
    const client = crypto.randomUUID();
    for (let n = 1; n <= 4; n++) await event(partner, client, n);
    let at = new Date();
    for (let round = 0; round < 12; round++) {
      await runAt(partner, at);
      at = new Date(at.getTime() + 3 * 3_600_000);
    }
    const delivered = received.filter((r) => r.path === ep.path && r.id && JSON.parse(r.body).data.state);
    const firstSuccessIndex = 3;
    const states = delivered.slice(firstSuccessIndex).map((r) => JSON.parse(r.body).data.state as string);
    expect(states).toEqual(["s1", "s2", "s3", "s4"]);
    // Until the first message got through, no later one was tried.
    expect(delivered.slice(0, firstSuccessIndex).map((r) => JSON.parse(r.body).data.state)).toEqual(["s1", "s1", "s1"]);
    expect((await messagesOf(ep.id)).map((m) => m.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "delivered",
    ]);
  });

  it("keeps the order of one client's events written in the same transaction, within the same millisecond", async () => {
    const partner = await createTestPartner();
    const ep = await endpointFor(partner);
    script.set(ep.path, [200]);
    const client = crypto.randomUUID();
    // The application's clock stands still while the events are written, as it may within one millisecond.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    await getDb()
      .transaction(async (tx) => {
        for (let n = 1; n <= 12; n++) {
          await enqueueWebhookEvent(tx, {
            partnerId: partner.id,
            type: "client.state_changed",
            data: { clientId: client, partnerId: partner.id, state: `t${n}` },
            clientId: client,
          });
        }
      })
      .finally(() => vi.useRealTimers());
    // A run sends one client's next message only once the one before it is delivered: run until all are.
    for (let round = 0; round < 12; round++) await runAt(partner, new Date());
    const states = received.filter((r) => r.path === ep.path).map((r) => JSON.parse(r.body).data.state as string);
    expect(states).toEqual(Array.from({ length: 12 }, (_, i) => `t${i + 1}`));
  });

  it("a worker whose claim lapsed and was taken over records nothing: the new claimant's success stands", async () => {
    const partner = await createTestPartner();
    const ep = await endpointFor(partner);
    const first = gate();
    const second = gate();
    gates.set(ep.path, [first.promise, second.promise]);
    await event(partner, crypto.randomUUID(), 1);
    const t0 = new Date();
    // Worker A claims and sends; its answer is held.
    const workerA = deliverDueWebhooks({ partnerId: partner.id, now: () => t0 });
    await expect.poll(() => received.filter((r) => r.path === ep.path).length).toBe(1);
    // A's claim lapses; worker B claims the same message and sends it again; its answer is held too.
    const later = new Date(t0.getTime() + 61_000);
    const workerB = deliverDueWebhooks({ partnerId: partner.id, now: () => later });
    await expect.poll(() => received.filter((r) => r.path === ep.path).length).toBe(2);
    // A hears 500 first, then B hears 204.
    first.open(500);
    await workerA;
    second.open(204);
    await workerB;
    const [message] = await messagesOf(ep.id);
    expect(message).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 204 });
    const attempts = await getDb().select().from(webhookAttempts).where(eq(webhookAttempts.messageId, message!.id));
    expect(attempts.map((a) => a.statusCode)).toEqual([204]);
  });

  it("gives a message up after 72 hours of failures", async () => {
    const partner = await createTestPartner();
    const ep = await endpointFor(partner);
    script.set(ep.path, [500]);
    await event(partner, crypto.randomUUID(), 1);
    const t0 = new Date();
    for (let h = 0; h <= 96; h += 1) await runAt(partner, new Date(t0.getTime() + h * 3_600_000));
    const [message] = await messagesOf(ep.id);
    expect(message!.status).toBe("failed");
    expect(message!.lastAttemptAt!.getTime() - message!.firstAttemptAt!.getTime()).toBeLessThanOrEqual(72 * 3_600_000);
    expect(message!.attempts).toBeGreaterThanOrEqual(10);
  });

  it("disables an endpoint that has failed for 5 days without a success, and emails its KAM", async () => {
    const kam = await createTestStaff("kam");
    const partner = await createTestPartner();
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, partner.id));
    const ep = await endpointFor(partner);
    script.set(ep.path, [500]);
    await event(partner, crypto.randomUUID(), 1);
    const t0 = new Date();
    await runAt(partner, t0);
    // A new event days later fails too; the endpoint has now failed for more than 5 days.
    const later = new Date(t0.getTime() + DISABLE_AFTER_MS + 60_000);
    await getDb().update(webhookMessages).set({ nextAttemptAt: later }).where(eq(webhookMessages.endpointId, ep.id));
    await runAt(partner, later);
    const [endpoint] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, ep.id));
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: "failing" });
    const [mail] = await getDb()
      .select()
      .from(emailOutbox)
      .where(and(eq(emailOutbox.toAddress, kam.email), eq(emailOutbox.template, "webhook_endpoint_disabled")));
    expect(mail?.textBody).toContain(`${base}${ep.path}`);
    // A disabled endpoint's messages wait; nothing more is sent to it.
    const before = received.filter((r) => r.path === ep.path).length;
    await runAt(partner, new Date(later.getTime() + 86_400_000));
    expect(received.filter((r) => r.path === ep.path)).toHaveLength(before);
  });

  it.skipIf(inject("databaseIsEmbedded"))(
    "two workers racing over the same messages deliver each exactly once",
    async () => {
      const partner = await createTestPartner();
      const ep = await endpointFor(partner);
      for (let n = 1; n <= 30; n++) await event(partner, crypto.randomUUID(), n);
      const at = new Date();
      await Promise.all([runAt(partner, at), runAt(partner, at), runAt(partner, at)]);
      const ids = received.filter((r) => r.path === ep.path).map((r) => r.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
    },
  );
});
