import { createHmac, randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { getDb } from "../../db/client";
import { auditEvents, partners, webhookEndpoints, webhookMessages } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { openSecret } from "../../server/crypto";
import { AppError, fieldErrorsFromIssues } from "../../server/errors";
import { deliverDueWebhooks, enqueueWebhookEvent, SECRET_PURPOSE, TEST_EVENT } from "../../server/webhooks/deliveries";
import { createTestPartner, type TestPartner } from "../support/api";
import { callerFor, createTestStaff } from "../support/staff";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";

/**
 * Managing a partner's webhook endpoints through the back office's procedures
 * (the kernel's roles and scope included), with deliveries to a receiver of
 * the test's own and the worker run by hand for the test's partner only.
 */

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

let receiver: WebhookReceiver;
let admin: TestStaff;
let kam: TestStaff;
let otherKam: TestStaff;

function allowPrivateUrls(allowed: boolean) {
  process.env.WEBHOOK_ALLOW_PRIVATE_URLS = allowed ? "1" : "0";
  resetConfigForTests();
}

beforeAll(async () => {
  allowPrivateUrls(true);
  receiver = await startWebhookReceiver();
  [admin, kam, otherKam] = await Promise.all([
    createTestStaff("admin"),
    createTestStaff("kam"),
    createTestStaff("kam"),
  ]);
});

afterAll(async () => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  resetConfigForTests();
  await receiver.close();
});

async function kamPartner(owner: TestStaff = kam): Promise<TestPartner> {
  const partner = await createTestPartner();
  await getDb().update(partners).set({ ownerStaffId: owner.id }).where(eq(partners.id, partner.id));
  return partner;
}

let seq = 0;
const hookPath = () => `/endpoints-${++seq}-${randomUUID().slice(0, 6)}`;

async function failureOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error("expected the procedure to fail");
}

/** The messages a form shows next to each field. */
function fieldMessagesOf(error: TRPCError): Record<string, string> {
  const fields =
    error.cause instanceof ZodError
      ? fieldErrorsFromIssues(error.cause.issues)
      : error.cause instanceof AppError
        ? error.cause.fields
        : [];
  return Object.fromEntries(fields.map((f) => [f.path, f.message]));
}

async function runWorker(partnerId: number, at = new Date()) {
  while (await deliverDueWebhooks({ partnerId, now: () => at }));
}

const messagesOf = (endpointId: string) =>
  getDb().select().from(webhookMessages).where(eq(webhookMessages.endpointId, endpointId));

describe("webhook endpoints", () => {
  it("adds an endpoint with a whsec_ secret shown once: stored sealed, never listed, not in the audit log", async () => {
    const partner = await kamPartner();
    const path = hookPath();
    const added = await callerFor(kam).webhook.add({
      partnerId: partner.id,
      url: `${receiver.base}${path}`,
      eventTypes: ["kyc.decided", "client.registered", "kyc.decided"],
    });
    expect(added.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(added.secret.slice("whsec_".length), "base64").length).toBeGreaterThanOrEqual(24);
    expect(added.eventTypes).toEqual(["client.registered", "kyc.decided"]);

    const [row] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, added.id));
    expect(row!.secretSealed).not.toContain(added.secret.slice(6));
    expect(openSecret(SECRET_PURPOSE, row!.secretSealed)).toBe(added.secret);
    expect(row!.createdByStaffId).toBe(kam.id);

    const listed = await callerFor(kam).webhook.list({ partnerId: partner.id });
    expect(listed).toMatchObject([
      {
        id: added.id,
        url: `${receiver.base}${path}`,
        eventTypes: ["client.registered", "kyc.decided"],
        enabled: true,
        waiting: 0,
        failed: 0,
        previousSecretValidUntil: null,
      },
    ]);
    const listedText = JSON.stringify(listed);
    expect(listedText).not.toContain("whsec_");
    expect(listedText).not.toContain(row!.secretSealed);

    const [audit] = await getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, added.id), eq(auditEvents.action, "webhook.endpoint_created")));
    expect(audit).toMatchObject({
      actorType: "staff",
      actorId: kam.id,
      partnerId: partner.id,
      after: { url: `${receiver.base}${path}`, eventTypes: ["client.registered", "kyc.decided"] },
    });
    expect(JSON.stringify(audit)).not.toContain(added.secret.slice(6));

    // With no types listed, the endpoint receives every type.
    const all = await callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}${hookPath()}` });
    expect(all.eventTypes).toEqual([]);
  });

  it("is the partner's KAM's and the admins' to manage: another KAM finds neither the partner, the endpoint nor its messages", async () => {
    const partner = await kamPartner();
    const added = await callerFor(admin).webhook.add({ partnerId: partner.id, url: `${receiver.base}${hookPath()}` });
    await getDb().transaction((tx) =>
      enqueueWebhookEvent(tx, {
        partnerId: partner.id,
        type: "client.state_changed",
        data: { partnerId: partner.id },
        clientId: null,
      }),
    );
    const [message] = await messagesOf(added.id);
    const other = callerFor(otherKam);
    for (const call of [
      () => other.webhook.list({ partnerId: partner.id }),
      () => other.webhook.add({ partnerId: partner.id, url: `${receiver.base}/x` }),
      () => other.webhook.update({ endpointId: added.id, enabled: false }),
      () => other.webhook.rotate({ endpointId: added.id }),
      () => other.webhook.remove({ endpointId: added.id }),
      () => other.webhook.test({ endpointId: added.id }),
      () => other.webhook.deliveries({ endpointId: added.id }),
      () => other.webhook.resend({ messageId: message!.id }),
    ]) {
      expect((await failureOf(call())).code).toBe("NOT_FOUND");
    }
    expect(await callerFor(kam).webhook.list({ partnerId: partner.id })).toHaveLength(1);
    expect((await callerFor(kam).webhook.deliveries({ endpointId: added.id })).items).toHaveLength(1);
  });

  it("refuses URLs that are not https to a public address unless private URLs are allowed, and unknown event types, naming the field", async () => {
    const partner = await kamPartner();
    const kamCaller = callerFor(kam);
    allowPrivateUrls(false);
    try {
      for (const url of [
        "http://hooks.example.com/in",
        "https://127.0.0.1/in",
        "https://10.1.2.3/in",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/in",
        "https://localhost/in",
        "https://user:pass@hooks.example.com/in",
      ]) {
        const refused = await failureOf(kamCaller.webhook.add({ partnerId: partner.id, url }));
        expect(refused.code, url).toBe("UNPROCESSABLE_CONTENT");
        expect(fieldMessagesOf(refused).url, url).toMatch(/^Refused: /);
      }
      expect(
        fieldMessagesOf(await failureOf(kamCaller.webhook.add({ partnerId: partner.id, url: "not a url" }))).url,
      ).toMatch(/full URL/);
      const badType = await failureOf(
        kamCaller.webhook.add({
          partnerId: partner.id,
          url: "https://hooks.example.com/in",
          eventTypes: ["client.deleted" as "client.registered"],
        }),
      );
      expect(Object.keys(fieldMessagesOf(badType))).toEqual(["eventTypes.0"]);
      // A public https URL is fine (it is never called here).
      const ok = await kamCaller.webhook.add({ partnerId: partner.id, url: "https://hooks.example.com/in" });
      expect(
        (await failureOf(kamCaller.webhook.update({ endpointId: ok.id, url: "http://127.0.0.1:9/in" }))).code,
      ).toBe("UNPROCESSABLE_CONTENT");
    } finally {
      allowPrivateUrls(true);
    }
    expect(await kamCaller.webhook.add({ partnerId: partner.id, url: "http://127.0.0.1:9/in" })).toMatchObject({
      url: "http://127.0.0.1:9/in",
    });
    expect(
      await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.partnerId, partner.id)),
    ).toHaveLength(2);
  });

  it("keeps at most five endpoints per partner, even when additions race; a removed one frees its place", async () => {
    const partner = await kamPartner();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}/race-${i}` }),
      ),
    );
    const added = outcomes.filter((o) => o.status === "fulfilled").map((o) => o.value);
    expect(added).toHaveLength(5);
    for (const o of outcomes.filter((o) => o.status === "rejected")) {
      const error = o.reason as TRPCError;
      expect(error.code).toBe("CONFLICT");
      expect(fieldMessagesOf(error).url).toMatch(/at most 5 webhook endpoints/);
    }
    await callerFor(kam).webhook.remove({ endpointId: added[0]!.id });
    expect((await callerFor(kam).webhook.list({ partnerId: partner.id })).map((e) => e.id)).not.toContain(added[0]!.id);
    await callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}/sixth` });
    expect(await callerFor(kam).webhook.list({ partnerId: partner.id })).toHaveLength(5);
  });

  it("changes only what differs and audits it; a disabled endpoint gets no new messages, and enabling it again clears the worker's verdict", async () => {
    const partner = await kamPartner();
    const kamCaller = callerFor(kam);
    const added = await kamCaller.webhook.add({ partnerId: partner.id, url: `${receiver.base}${hookPath()}` });
    expect(await kamCaller.webhook.update({ endpointId: added.id, url: added.url, eventTypes: [] })).toEqual({
      id: added.id,
      changed: [],
    });
    const changed = await kamCaller.webhook.update({
      endpointId: added.id,
      eventTypes: ["invoice.paid"],
      enabled: false,
    });
    expect(changed.changed.sort()).toEqual(["enabled", "eventTypes"]);
    const audits = await getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, added.id), eq(auditEvents.action, "webhook.endpoint_updated")));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      before: { enabled: true, eventTypes: [] },
      after: { enabled: false, eventTypes: ["invoice.paid"] },
    });

    const queue = (type: "invoice.paid") =>
      getDb().transaction((tx) => enqueueWebhookEvent(tx, { partnerId: partner.id, type, data: {}, clientId: null }));
    expect(await queue("invoice.paid")).toBe(0);
    // As the worker leaves an endpoint that failed for 5 days.
    await getDb()
      .update(webhookEndpoints)
      .set({ disabledReason: "failing", failingSince: new Date(Date.now() - 6 * 86_400_000) })
      .where(eq(webhookEndpoints.id, added.id));
    await kamCaller.webhook.update({ endpointId: added.id, enabled: true });
    const [row] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, added.id));
    expect(row).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    expect(await queue("invoice.paid")).toBe(1);
  });

  it("rotates the secret: deliveries carry both signatures for 24 hours, each verifiable with its secret", async () => {
    const partner = await kamPartner();
    const path = hookPath();
    const added = await callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}${path}` });
    const rotated = await callerFor(kam).webhook.rotate({ endpointId: added.id });
    expect(rotated.secret).not.toBe(added.secret);
    expect(rotated.previousValidUntil.getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect((await callerFor(kam).webhook.list({ partnerId: partner.id }))[0]!.previousSecretValidUntil).toEqual(
      rotated.previousValidUntil,
    );
    receiver.secrets.set(path, [added.secret, rotated.secret]);

    await callerFor(kam).webhook.test({ endpointId: added.id });
    await runWorker(partner.id);
    await callerFor(kam).webhook.test({ endpointId: added.id });
    // A day later only the new secret signs.
    await runWorker(partner.id, new Date(Date.now() + 25 * 3_600_000));
    const [during, after] = receiver.at(path);
    expect(during!.signature.split(" ")).toHaveLength(2);
    expect(during!.verifiedWith).toEqual([true, true]);
    // The reference library refuses a timestamp a day ahead of the real clock, so this one is checked by hand.
    const signed = (secret: string) =>
      `v1,${createHmac("sha256", Buffer.from(secret.slice(6), "base64"))
        .update(`${after!.id}.${after!.timestamp}.${after!.body}`)
        .digest("base64")}`;
    expect(after!.signature).toBe(signed(rotated.secret));
    expect(
      JSON.stringify(await getDb().select().from(auditEvents).where(eq(auditEvents.entityId, added.id))),
    ).not.toContain(rotated.secret.slice(6));
  });

  it("removing an endpoint gives up what waited for it and sends it nothing more", async () => {
    const partner = await kamPartner();
    const path = hookPath();
    const added = await callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}${path}` });
    await getDb().transaction((tx) =>
      enqueueWebhookEvent(tx, { partnerId: partner.id, type: "client.state_changed", data: {}, clientId: null }),
    );
    expect(await callerFor(kam).webhook.remove({ endpointId: added.id })).toEqual({ id: added.id, undelivered: 1 });
    await runWorker(partner.id);
    expect(receiver.at(path)).toEqual([]);
    expect(await messagesOf(added.id)).toMatchObject([{ status: "failed", lastError: "the endpoint was removed" }]);
    expect((await failureOf(callerFor(kam).webhook.remove({ endpointId: added.id }))).code).toBe("NOT_FOUND");
    expect(
      await getDb().transaction((tx) =>
        enqueueWebhookEvent(tx, { partnerId: partner.id, type: "client.state_changed", data: {}, clientId: null }),
      ),
    ).toBe(0);
  });

  it("lists an endpoint's deliveries newest first, page by page, with every attempt's status code and duration", async () => {
    const partner = await kamPartner();
    const path = hookPath();
    receiver.script.set(path, [500, 200]);
    const added = await callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}${path}` });
    for (let n = 1; n <= 5; n++) {
      await getDb().transaction((tx) =>
        enqueueWebhookEvent(tx, { partnerId: partner.id, type: "client.state_changed", data: { n }, clientId: null }),
      );
    }
    const t0 = new Date();
    await runWorker(partner.id, t0);
    await runWorker(partner.id, new Date(t0.getTime() + 60_000));

    const seen: string[] = [];
    let cursor: string | undefined;
    const pages: number[] = [];
    do {
      const page = await callerFor(kam).webhook.deliveries({ endpointId: added.id, limit: 2, cursor });
      pages.push(page.items.length);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([2, 2, 1]);
    const stored = await messagesOf(added.id);
    expect(seen).toEqual(
      stored.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((m) => m.id),
    );

    const log = await callerFor(kam).webhook.deliveries({ endpointId: added.id, limit: 10 });
    const retried = log.items.find((m) => m.attemptCount === 2)!;
    expect(retried).toMatchObject({
      eventType: "client.state_changed",
      status: "delivered",
      lastStatusCode: 200,
      nextAttemptAt: null,
    });
    expect(retried.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect(retried.attempts.every((a) => a.durationMs >= 0)).toBe(true);

    const refused = await failureOf(
      callerFor(kam).webhook.deliveries({ endpointId: added.id, cursor: "bm90IGEgY3Vyc29y" }),
    );
    expect(refused.code).toBe("BAD_REQUEST");
    expect(Object.keys(fieldMessagesOf(refused))).toEqual(["cursor"]);
  });

  it("resends a delivered message now under the same webhook-id, and refuses one being delivered", async () => {
    const partner = await kamPartner();
    const path = hookPath();
    const added = await callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}${path}` });
    await getDb().transaction((tx) =>
      enqueueWebhookEvent(tx, {
        partnerId: partner.id,
        type: "client.state_changed",
        data: { state: "blocked" },
        clientId: null,
      }),
    );
    await runWorker(partner.id);
    const [message] = await messagesOf(added.id);
    expect(message!.status).toBe("delivered");

    await callerFor(kam).webhook.resend({ messageId: message!.id });
    expect((await messagesOf(added.id))[0]).toMatchObject({ status: "pending", attempts: 1 });
    await runWorker(partner.id);
    expect(receiver.at(path).map((r) => r.id)).toEqual([message!.id, message!.id]);
    expect((await messagesOf(added.id))[0]).toMatchObject({ status: "delivered", attempts: 2 });
    const [audit] = await getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, message!.id), eq(auditEvents.action, "webhook.message_resent")));
    expect(audit).toMatchObject({ actorId: kam.id, partnerId: partner.id, before: { status: "delivered" } });

    await getDb()
      .update(webhookMessages)
      .set({ status: "sending", claimedUntil: new Date(Date.now() + 60_000) })
      .where(eq(webhookMessages.id, message!.id));
    expect((await failureOf(callerFor(kam).webhook.resend({ messageId: message!.id }))).code).toBe("CONFLICT");
    expect((await failureOf(callerFor(kam).webhook.resend({ messageId: "msg_" + "0".repeat(32) }))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("sends a test event to an enabled endpoint only", async () => {
    const partner = await kamPartner();
    const path = hookPath();
    const added = await callerFor(kam).webhook.add({
      partnerId: partner.id,
      url: `${receiver.base}${path}`,
      eventTypes: ["invoice.paid"],
    });
    receiver.secrets.set(path, [added.secret]);
    const { messageId } = await callerFor(kam).webhook.test({ endpointId: added.id });
    await runWorker(partner.id);
    const [hit] = receiver.at(path);
    expect(hit).toMatchObject({ id: messageId, verifiedWith: [true] });
    expect(JSON.parse(hit!.body)).toMatchObject({
      type: TEST_EVENT,
      data: { endpointId: added.id, partnerId: partner.id },
    });
    await callerFor(kam).webhook.update({ endpointId: added.id, enabled: false });
    expect((await failureOf(callerFor(kam).webhook.test({ endpointId: added.id }))).code).toBe("CONFLICT");
  });

  it("counts the waiting messages for the Outbox page, beside the emails", async () => {
    const partner = await kamPartner();
    const added = await callerFor(kam).webhook.add({ partnerId: partner.id, url: `${receiver.base}${hookPath()}` });
    const before = await callerFor(admin).webhook.backlog();
    await getDb().transaction((tx) =>
      enqueueWebhookEvent(tx, { partnerId: partner.id, type: "client.state_changed", data: {}, clientId: null }),
    );
    const after = await callerFor(admin).webhook.backlog();
    // Other files' messages come and go meanwhile; this one is among the waiting ones.
    expect(after.waiting).toBeGreaterThanOrEqual(1);
    expect(after.oldestWaitingSince).toBeInstanceOf(Date);
    expect(before).toMatchObject({
      waiting: expect.any(Number),
      retrying: expect.any(Number),
      endpointsDisabled: expect.any(Number),
    });
    const emails = await callerFor(admin).outbox.backlog();
    expect(emails).toEqual({
      waiting: expect.any(Number),
      failing: expect.any(Number),
      failed: expect.any(Number),
      oldestWaitingSince: emails.waiting > 0 ? expect.any(Date) : null,
    });
    await callerFor(kam).webhook.remove({ endpointId: added.id });
  });
});
