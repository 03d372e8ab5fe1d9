import { describe, expect, it } from "vitest";
import { webhookEventsFor } from "../../server/webhooks/events";

/** The audit action → webhook event table, for the cases where one change is two events, or none. */

const client = "7a0c3c1e-51f4-4b8e-9d6a-0a1b2c3d4e5f";

describe("webhookEventsFor", () => {
  it("makes a KYC approval that raised the client's level both kyc.decided and client.verification_changed", () => {
    const events = webhookEventsFor({
      action: "kyc.provider_verdict",
      entityType: "client",
      entityId: client,
      partnerId: 7,
      before: { reviewStatus: "pending", verificationStatus: "email_verified", verificationLevel: 0 },
      after: {
        event: "applicantReviewed",
        provider: "SUMSUB",
        reviewStatus: "completed",
        reviewAnswer: "GREEN",
        rejectType: null,
        rejectLabels: [],
        moderationComment: "ok",
        verificationStatus: "identified",
        verificationLevel: 2,
      },
    });
    expect(events).toEqual([
      {
        type: "kyc.decided",
        partnerId: 7,
        clientId: client,
        data: {
          clientId: client,
          partnerId: 7,
          provider: "SUMSUB",
          reviewStatus: "completed",
          reviewAnswer: "GREEN",
          rejectType: null,
          rejectLabels: [],
          verificationStatus: "identified",
          verificationLevel: 2,
        },
      },
      {
        type: "client.verification_changed",
        partnerId: 7,
        clientId: client,
        data: {
          clientId: client,
          partnerId: 7,
          verificationStatus: "identified",
          verificationLevel: 2,
          previousVerificationStatus: "email_verified",
          previousVerificationLevel: 0,
        },
      },
    ]);
  });

  it("reports a rejection as kyc.decided alone, and a KYC step that is not a verdict not at all", () => {
    const base = {
      action: "kyc.staff_decision",
      entityType: "client",
      entityId: client,
      partnerId: 7,
      before: { verificationStatus: "email_verified", verificationLevel: 0 },
    };
    expect(
      webhookEventsFor({
        ...base,
        after: {
          event: "applicantReviewed",
          reviewAnswer: "RED",
          rejectType: "RETRY",
          verificationStatus: "email_verified",
          verificationLevel: 0,
        },
      }).map((e) => e.type),
    ).toEqual(["kyc.decided"]);
    expect(
      webhookEventsFor({
        ...base,
        after: { event: "applicantPending", verificationStatus: "email_verified", verificationLevel: 0 },
      }),
    ).toEqual([]);
  });

  it("makes a confirmed email client.email_confirmed, and client.verification_changed only when the status moved", () => {
    const confirmed = (before: string) =>
      webhookEventsFor({
        action: "client.email_confirmed",
        entityType: "client",
        entityId: client,
        partnerId: 7,
        before: { verificationStatus: before },
        after: { verificationStatus: "email_verified" },
      });
    expect(confirmed("not_verified").map((e) => e.type)).toEqual([
      "client.email_confirmed",
      "client.verification_changed",
    ]);
    expect(confirmed("email_verified").map((e) => e.type)).toEqual(["client.email_confirmed"]);
  });

  it("activates a subscription on its first invoice's payment only", () => {
    const paid = (kind: string) =>
      webhookEventsFor({
        action: "invoice.paid",
        entityType: "invoice",
        entityId: "inv-1",
        partnerId: 7,
        after: {
          clientId: client,
          kind,
          amount: "9.99",
          currency: "EUR",
          paymentId: "pay-1",
          subscriptionId: "sub-1",
          subscriptionStatus: "ACTIVE",
          periodEnd: "2030-01-31T00:00:00.000Z",
        },
      });
    expect(paid("initial").map((e) => e.type)).toEqual(["invoice.paid", "subscription.activated"]);
    expect(paid("initial")[1]).toEqual({
      type: "subscription.activated",
      partnerId: 7,
      clientId: client,
      data: {
        subscriptionId: "sub-1",
        partnerId: 7,
        clientId: client,
        status: "ACTIVE",
        invoiceId: "inv-1",
        periodEnd: "2030-01-31T00:00:00.000Z",
      },
    });
    expect(paid("renewal").map((e) => e.type)).toEqual(["invoice.paid"]);
  });

  it("leaves out staff reasons and KYC comments, and maps nothing without a partner", () => {
    const [changed] = webhookEventsFor({
      action: "client.state_changed",
      entityType: "client",
      entityId: client,
      partnerId: 7,
      before: { state: "active" },
      after: { state: "blocked", reason: "fraud ring, see ticket 42", sessionsRevoked: 2 },
    });
    expect(changed!.data).toEqual({ clientId: client, partnerId: 7, state: "blocked", previousState: "active" });
    expect(
      webhookEventsFor({
        action: "client.state_changed",
        entityType: "client",
        entityId: client,
        partnerId: null,
        after: { state: "blocked" },
      }),
    ).toEqual([]);
    expect(webhookEventsFor({ action: "staff.sign_in", entityType: "staff", entityId: "s-1", partnerId: 7 })).toEqual(
      [],
    );
  });
});
