import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../db/enums";
import { auditEvents, webhookEndpoints, webhookMessages } from "../../db/schema";
import { config } from "../../env";
import { DAY_MS } from "../../server/billing/lifecycle";
import { runBillingCycle } from "../../server/billing/scheduler";
import { sealSecret } from "../../server/crypto";
import { formatCreatedAtMs } from "../../server/kyc/schemas";
import { payloadDigest } from "../../server/kyc/signing";
import { SECRET_PURPOSE } from "../../server/webhooks/deliveries";
import { newWebhookSecret } from "../../server/webhooks/signing";
import {
  createTestPartner,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type TestPartner,
} from "../support/api";
import { credit, registerSubscriber, sandboxPartnerWithTier } from "../support/billing";
import { callerFor, createTestStaff } from "../support/staff";

/**
 * Every webhook event type, caused through the entry point a partner's
 * client, staff or the scheduler really uses (REST, tRPC, the KYC webhook,
 * the billing run): the partner's endpoint subscribed to the type gets
 * exactly one message of it, an endpoint subscribed to every other type gets
 * none of it, and when the change's transaction fails at commit there is no
 * message either (nor the change's audit event: both went with it).
 */

const api = useApi();
let operations: Awaited<ReturnType<typeof createTestStaff>>;

/*
 * Failing a change at commit: a deferred constraint trigger refuses, when the
 * transaction commits, any webhook message of a partner listed in a table of
 * this file's own. The message is written, the rest of the change runs, and
 * the commit fails: a message written outside the change's transaction would
 * survive it.
 */
beforeAll(async () => {
  operations = await createTestStaff("operations");
  await getDb().execute(sql`create table if not exists test_webhook_commit_fails (partner_id integer primary key)`);
  await getDb().execute(sql`
    create or replace function test_webhook_commit_fails() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from test_webhook_commit_fails f where f.partner_id = new.partner_id) then
        raise exception 'the change fails at commit (test)';
      end if;
      return null;
    end $$`);
  await getDb().execute(sql`drop trigger if exists test_webhook_commit_fails on webhook_messages`);
  await getDb().execute(sql`
    create constraint trigger test_webhook_commit_fails after insert on webhook_messages
    deferrable initially deferred for each row execute function test_webhook_commit_fails()`);
});

afterAll(async () => {
  await getDb().execute(sql`drop trigger if exists test_webhook_commit_fails on webhook_messages`);
  await getDb().execute(sql`drop function if exists test_webhook_commit_fails()`);
  await getDb().execute(sql`drop table if exists test_webhook_commit_fails`);
});

const failCommitsOf = (partnerId: number) =>
  getDb().execute(sql`insert into test_webhook_commit_fails (partner_id) values (${partnerId})`);

async function endpoint(partnerId: number, eventTypes: WebhookEventType[]) {
  const [row] = await getDb()
    .insert(webhookEndpoints)
    .values({
      partnerId,
      url: "https://hooks.example.com/in",
      eventTypes,
      secretSealed: sealSecret(SECRET_PURPOSE, newWebhookSecret()),
    })
    .returning({ id: webhookEndpoints.id });
  return row!.id;
}

const messagesOf = (endpointId: string, type: string) =>
  getDb()
    .select({ id: webhookMessages.id, payload: webhookMessages.payload, clientId: webhookMessages.clientId })
    .from(webhookMessages)
    .where(and(eq(webhookMessages.endpointId, endpointId), eq(webhookMessages.eventType, type)));

async function auditCount(partnerId: number): Promise<number> {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(eq(auditEvents.partnerId, partnerId));
  return row!.n;
}

interface Scenario {
  partner: TestPartner;
  /** The change itself, through its entry point. */
  act: () => Promise<unknown>;
  /** The `data` the message carries. */
  data: () => Record<string, unknown>;
}

const registerWhiteLabel = async (partner: TestPartner) => {
  const res = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(partner.id) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.clientId as string;
};

const GRACE = 7 * DAY_MS;

/** A subscriber of the partner's tier with an open first invoice, and money for it. */
async function subscribed() {
  const { partner, tierId } = await sandboxPartnerWithTier({ amount: "9.99" });
  const client = await registerSubscriber(api, partner.id);
  await credit(client.clientId, "9.99");
  const started = await api.post(
    "/reg/subscription",
    { accountId: client.accountId, subscriptionDetailsId: tierId },
    client.auth,
  );
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return {
    partner,
    client,
    invoiceId: started.body.id as string,
    subscriptionId: started.body.subscriptionId as string,
  };
}

const scenarios: Record<WebhookEventType, () => Promise<Scenario>> = {
  "client.registered": async () => {
    const partner = await createTestPartner({ sandbox: true });
    const email = uniqueEmail("hooks");
    const headers = { partnerId: String(partner.id) };
    expect((await api.post("/reg/user", { email, password: STRONG_PARTNER_PASSWORD }, headers)).status).toBe(202);
    let clientId = "";
    return {
      partner,
      act: async () => {
        const done = await api.post(
          "/reg/user",
          { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: "12345" },
          headers,
        );
        if (done.status === 201) clientId = (done.body.user_id as string).slice(4);
        return done;
      },
      data: () => ({
        clientId,
        partnerId: partner.id,
        verificationStatus: "email_verified",
        userType: "CUSTOMER",
        createdVia: "partner_api",
      }),
    };
  },
  "client.email_confirmed": async () => {
    const partner = await createTestPartner({ sandbox: true });
    const clientId = await registerWhiteLabel(partner);
    return {
      partner,
      act: () => api.post("/api/public/confirm-email", { clientId, code: "12345" }),
      data: () => ({ clientId, partnerId: partner.id, verificationStatus: "email_verified" }),
    };
  },
  "client.verification_changed": async () => {
    const partner = await createTestPartner({ sandbox: true });
    const clientId = await registerWhiteLabel(partner);
    return {
      partner,
      act: () =>
        callerFor(operations).client.setVerification({
          clientId,
          verificationStatus: "identified",
          verificationLevel: 3,
          reason: "Checked the passport in person",
        }),
      data: () => ({
        clientId,
        partnerId: partner.id,
        verificationStatus: "identified",
        verificationLevel: 3,
        previousVerificationStatus: "not_verified",
        previousVerificationLevel: 0,
      }),
    };
  },
  "client.state_changed": async () => {
    const partner = await createTestPartner({ sandbox: true });
    const clientId = await registerWhiteLabel(partner);
    return {
      partner,
      act: () =>
        callerFor(operations).client.setState({ clientId, state: "suspended", reason: "Asked by the partner" }),
      data: () => ({ clientId, partnerId: partner.id, state: "suspended", previousState: "active" }),
    };
  },
  "kyc.decided": async () => {
    const partner = await createTestPartner({ sandbox: true, kycApprovedLevel: 3 });
    const registered = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(partner.id) });
    const clientId = registered.body.clientId as string;
    const started = await api.post(
      "/reg/verification",
      { type: "SUMSUB" },
      { authorization: `Bearer ${registered.body.token}` },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const body = JSON.stringify({
      type: "applicantReviewed",
      applicantId: started.body.applicantId,
      externalUserId: clientId,
      correlationId: `corr-${clientId}`,
      levelName: "basic-kyc-level",
      reviewStatus: "completed",
      createdAtMs: formatCreatedAtMs(Date.now()),
      reviewResult: { reviewAnswer: "GREEN" },
    });
    return {
      partner,
      act: () =>
        api.post("/api/webhooks/sumsub", body, {
          "content-type": "application/json",
          "x-payload-digest-alg": "HMAC_SHA256_HEX",
          "x-payload-digest": payloadDigest(config().sumsubWebhookSecret, "HMAC_SHA256_HEX", body),
        }),
      data: () => ({
        clientId,
        partnerId: partner.id,
        reviewAnswer: "GREEN",
        reviewStatus: "completed",
        verificationStatus: "identified",
        verificationLevel: 3,
      }),
    };
  },
  "subscription.activated": async () => {
    const s = await subscribed();
    return {
      partner: s.partner,
      act: () => api.post("/invoice/payment/pay", { invoiceId: s.invoiceId }, s.client.auth),
      data: () => ({
        subscriptionId: s.subscriptionId,
        clientId: s.client.clientId,
        partnerId: s.partner.id,
        status: "ACTIVE",
        invoiceId: s.invoiceId,
      }),
    };
  },
  "invoice.paid": async () => {
    const s = await subscribed();
    return {
      partner: s.partner,
      act: () => api.post("/invoice/payment/pay", { invoiceId: s.invoiceId }, s.client.auth),
      data: () => ({
        invoiceId: s.invoiceId,
        subscriptionId: s.subscriptionId,
        clientId: s.client.clientId,
        partnerId: s.partner.id,
        kind: "initial",
        amount: "9.99",
        currency: "EUR",
        status: "paid",
      }),
    };
  },
  "subscription.renewal_failed": async () => {
    const s = await subscribed();
    const paid = await api.post("/invoice/payment/pay", { invoiceId: s.invoiceId }, s.client.auth);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    const periodEnd = Date.parse(paid.body.subscription.currentPeriodEnd as string);
    return {
      partner: s.partner,
      // The period is over and the account is empty: the renewal cannot be collected.
      act: () => runBillingCycle({ now: new Date(periodEnd + DAY_MS / 2), grace: GRACE, partnerId: s.partner.id }),
      data: () => ({
        subscriptionId: s.subscriptionId,
        clientId: s.client.clientId,
        partnerId: s.partner.id,
        amount: "9.99",
        currency: "EUR",
      }),
    };
  },
  "subscription.cancelled": async () => {
    const s = await subscribed();
    return {
      partner: s.partner,
      act: () => api.post(`/reg/subscription/${s.subscriptionId}/cancel`, undefined, s.client.auth),
      data: () => ({
        subscriptionId: s.subscriptionId,
        clientId: s.client.clientId,
        partnerId: s.partner.id,
        status: "CANCELLED",
        previousStatus: "INIT",
        reason: "cancelled",
      }),
    };
  },
};

describe("webhook events from every change", () => {
  it("maps every event type", () => {
    expect(Object.keys(scenarios).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
  });

  describe.each(WEBHOOK_EVENT_TYPES)("%s", (type) => {
    it("is one message to the endpoint subscribed to it, written with the change, and none to one that is not", async () => {
      const s = await scenarios[type]();
      const subscribed = await endpoint(s.partner.id, [type]);
      const others = await endpoint(
        s.partner.id,
        WEBHOOK_EVENT_TYPES.filter((t) => t !== type),
      );
      const outcome = (await s.act()) as { status?: number; body?: unknown };
      if (outcome?.status !== undefined) expect(outcome.status, JSON.stringify(outcome.body)).toBeLessThan(300);

      const messages = await messagesOf(subscribed, type);
      expect(messages).toHaveLength(1);
      const payload = messages[0]!.payload as { type: string; timestamp: string; data: Record<string, unknown> };
      expect(payload).toEqual({ type, timestamp: expect.any(String), data: expect.objectContaining(s.data()) });
      expect(messages[0]!.clientId).toBe(s.data().clientId);
      // Ids and states only: nothing a partner's log should not keep.
      expect(JSON.stringify(payload)).not.toMatch(/password|secret|token|Checked the passport|Asked by the partner|@/i);
      expect(await messagesOf(others, type)).toEqual([]);
    });

    it("is no message when the change's transaction fails", async () => {
      const s = await scenarios[type]();
      const subscribed = await endpoint(s.partner.id, [type]);
      const audited = await auditCount(s.partner.id);
      await failCommitsOf(s.partner.id);
      // Each entry point reports the failure its own way: a 5xx answer, a procedure's error, the billing run's count.
      const outcome = (await s.act().catch((error: unknown) => ({ thrown: error }))) as {
        status?: number;
        failed?: number;
        thrown?: unknown;
      };
      if (outcome.status !== undefined) expect(outcome.status).toBeGreaterThanOrEqual(500);
      else if (outcome.failed !== undefined) expect(outcome.failed).toBe(1);
      else expect(outcome.thrown).toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
      expect(await messagesOf(subscribed, type)).toEqual([]);
      expect(await auditCount(s.partner.id)).toBe(audited);
    });
  });
});
