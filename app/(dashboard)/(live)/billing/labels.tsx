import type { InvoiceStatus, SubscriptionStatus } from "@/server/billing/schemas";
import { Badge } from "../partners/labels";

/** What the billing pages (Subscriptions & invoices, tiers, the client page) show alike. */

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
/** A moment in UTC, or a dash. Tables say "(UTC)" in their headers; elsewhere the zone is spelled out. */
export const when = (d: Date | null | undefined) => (d ? dateTime.format(d) : "—");
export const whenUtc = (d: Date | null | undefined) => (d ? `${dateTime.format(d)} UTC` : "—");

export const money = (amount: string, currency: string) => `${amount} ${currency}`;

/** The statuses are the API's words, which integrators and support share; the hints say what they mean. */
export const subscriptionStatusHints: Record<SubscriptionStatus, string> = {
  INIT: "started, first invoice unpaid",
  ACTIVE: "paid and running",
  DEACTIVATING: "cancelled, runs to the end of its period",
  CANCELLED: "ended",
};

const subscriptionTones = { INIT: "amber", ACTIVE: "green", DEACTIVATING: "amber", CANCELLED: "grey" } as const;

export function SubscriptionStatusBadge({ status }: { status: SubscriptionStatus }) {
  return <Badge tone={subscriptionTones[status]}>{status}</Badge>;
}

export const invoiceStatusLabels: Record<InvoiceStatus, string> = { open: "Open", paid: "Paid", void: "Void" };
const invoiceTones = { open: "amber", paid: "green", void: "grey" } as const;

export function InvoiceStatusBadge({ status }: { status: InvoiceStatus }) {
  return <Badge tone={invoiceTones[status]}>{invoiceStatusLabels[status]}</Badge>;
}

export const invoiceKindLabels = { initial: "First payment", renewal: "Renewal" } as const;
export type InvoiceKind = keyof typeof invoiceKindLabels;

export const linkClass = "text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700";
