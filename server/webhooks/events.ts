import type { Executor } from "../../db/client";
import { enqueueWebhookEvent, type WebhookEvent } from "./deliveries";

/**
 * Which changes partners hear about. Every change a partner's webhook
 * reports already writes an audit event in its own transaction, whatever the
 * entry point (REST, back office, CLI, KYC webhooks, the billing scheduler),
 * so the audit log's writer hands each event here and the webhook messages
 * are queued in that same transaction (decision 0020). This table is the one
 * place that says which audit action is which webhook event.
 *
 * `data` is picked field by field: ids and the new state (with the previous
 * one where the audit event has it). Free text (staff reasons, KYC comments)
 * and personal data stay out.
 */

/** An audit event's what-happened part, defined here because recordAudit (audit/record.ts) calls this module: it is audit/record.ts's AuditEvent. */
export interface AuditedChange {
  action: string;
  entityType?: string;
  entityId?: string;
  partnerId?: number | null;
  before?: unknown;
  after?: unknown;
}

type Fields = Record<string, unknown>;

const fieldsOf = (value: unknown): Fields =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : {};

/** The named fields that are present, under the same names. */
function pick(from: Fields, keys: readonly string[]): Fields {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}

/** The named fields that are present, renamed `previousX`. */
function previous(from: Fields, keys: readonly string[]): Fields {
  return Object.fromEntries(
    keys.filter((k) => from[k] !== undefined).map((k) => [`previous${k[0]!.toUpperCase()}${k.slice(1)}`, from[k]]),
  );
}

type Mapped = Omit<WebhookEvent, "partnerId">;
type Rule = (e: { id: string; partnerId: number; before: Fields; after: Fields }) => Mapped[];

const VERIFICATION = ["verificationStatus", "verificationLevel"] as const;

function verificationChanged(clientId: string, partnerId: number, before: Fields, after: Fields): Mapped[] {
  // Only when the audit event shows both sides and they differ.
  if (!VERIFICATION.some((k) => before[k] !== undefined && after[k] !== undefined && before[k] !== after[k])) return [];
  return [
    {
      type: "client.verification_changed",
      clientId,
      data: { clientId, partnerId, ...pick(after, VERIFICATION), ...previous(before, VERIFICATION) },
    },
  ];
}

function kycVerdict({ id: clientId, partnerId, before, after }: Parameters<Rule>[0]): Mapped[] {
  const decided: Mapped[] =
    after.event === "applicantReviewed"
      ? [
          {
            type: "kyc.decided",
            clientId,
            data: {
              clientId,
              partnerId,
              ...pick(after, [
                "provider",
                "reviewStatus",
                "reviewAnswer",
                "rejectType",
                "rejectLabels",
                ...VERIFICATION,
              ]),
            },
          },
        ]
      : [];
  return [...decided, ...verificationChanged(clientId, partnerId, before, after)];
}

function subscriptionEnded(reason: string): Rule {
  return ({ id: subscriptionId, partnerId, before, after }) => [
    {
      type: "subscription.cancelled",
      clientId: typeof after.clientId === "string" ? after.clientId : null,
      data: {
        subscriptionId,
        partnerId,
        ...pick(after, ["clientId", "status", "endsAt", "invoiceId"]),
        ...previous(before, ["status"]),
        reason,
      },
    },
  ];
}

const clientIdOf = (after: Fields) => (typeof after.clientId === "string" ? after.clientId : null);

const rules: Record<string, Rule> = {
  "client.register": ({ id: clientId, partnerId, after }) => [
    {
      type: "client.registered",
      clientId,
      data: {
        clientId,
        partnerId,
        ...pick(after, ["userType", ...VERIFICATION]),
        ...(after.via !== undefined ? { createdVia: after.via } : {}),
      },
    },
  ],
  "client.email_confirmed": ({ id: clientId, partnerId, before, after }) => [
    { type: "client.email_confirmed", clientId, data: { clientId, partnerId, ...pick(after, ["verificationStatus"]) } },
    ...verificationChanged(clientId, partnerId, before, after),
  ],
  "client.state_changed": ({ id: clientId, partnerId, before, after }) => [
    {
      type: "client.state_changed",
      clientId,
      data: { clientId, partnerId, ...pick(after, ["state"]), ...previous(before, ["state"]) },
    },
  ],
  "client.verification_changed": ({ id: clientId, partnerId, before, after }) =>
    verificationChanged(clientId, partnerId, before, after),
  "kyc.staff_decision": kycVerdict,
  "kyc.provider_verdict": kycVerdict,
  "invoice.paid": ({ id: invoiceId, partnerId, after }) => {
    const clientId = clientIdOf(after);
    const paid: Mapped = {
      type: "invoice.paid",
      clientId,
      data: {
        invoiceId,
        partnerId,
        ...pick(after, ["clientId", "subscriptionId", "paymentId", "kind", "amount", "currency"]),
        status: "paid",
      },
    };
    // The first invoice's payment is what starts a subscription; a renewal's keeps it running.
    if (after.kind !== "initial") return [paid];
    const activated: Mapped = {
      type: "subscription.activated",
      clientId,
      data: {
        subscriptionId: after.subscriptionId,
        partnerId,
        ...pick(after, ["clientId"]),
        status: after.subscriptionStatus,
        invoiceId,
        ...pick(after, ["periodEnd"]),
      },
    };
    return [paid, activated];
  },
  "subscription.renewal_failed": ({ id: subscriptionId, partnerId, after }) => [
    {
      type: "subscription.renewal_failed",
      clientId: clientIdOf(after),
      data: { subscriptionId, partnerId, ...pick(after, ["clientId", "invoiceId", "amount", "currency", "payBy"]) },
    },
  ],
  "subscription.cancelled": subscriptionEnded("cancelled"),
  "subscription.lapsed": subscriptionEnded("unpaid"),
  "subscription.ended": subscriptionEnded("period_ended"),
};

/** The webhook events an audit event stands for: none for most, one or two for the changes partners hear about. */
export function webhookEventsFor(e: AuditedChange): WebhookEvent[] {
  const rule = rules[e.action];
  if (!rule || e.entityId === undefined || e.partnerId === undefined || e.partnerId === null) return [];
  const partnerId = e.partnerId;
  return rule({ id: e.entityId, partnerId, before: fieldsOf(e.before), after: fieldsOf(e.after) }).map((m) => ({
    ...m,
    partnerId,
  }));
}

/** Queues the webhook messages of an audit event, in the transaction that writes it. */
export async function enqueueWebhookEventsFor(tx: Executor, e: AuditedChange): Promise<void> {
  for (const event of webhookEventsFor(e)) await enqueueWebhookEvent(tx, event);
}
