import type { InvoiceStatus, SubscriptionStatus } from "@/server/billing/schemas";
import { invoiceStatusLabels, partnerStatusLabels } from "./vocabulary";

/** Small display pieces the back-office pages share, on the server and in islands alike. */

export const linkClass =
  "text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700";

type Tone = "green" | "grey" | "amber" | "rose" | "indigo";
const tones: Record<Tone, string> = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  grey: "bg-slate-100 text-slate-700 ring-slate-300",
  amber: "bg-amber-50 text-amber-900 ring-amber-200",
  rose: "bg-rose-50 text-rose-800 ring-rose-200",
  indigo: "bg-indigo-50 text-indigo-800 ring-indigo-200",
};

export function Badge({ tone, children }: { tone: Tone; children: string }) {
  return (
    <span
      className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tones[tone]}`}
    >
      {children}
    </span>
  );
}

export function PartnerStatusBadge({ status }: { status: "active" | "suspended" }) {
  return <Badge tone={status === "active" ? "green" : "rose"}>{partnerStatusLabels[status]}</Badge>;
}

const subscriptionTones = { INIT: "amber", ACTIVE: "green", DEACTIVATING: "amber", CANCELLED: "grey" } as const;

/** The statuses are the API's words, which integrators and support share. */
export function SubscriptionStatusBadge({ status }: { status: SubscriptionStatus }) {
  return <Badge tone={subscriptionTones[status]}>{status}</Badge>;
}

const invoiceTones = { open: "amber", paid: "green", void: "grey" } as const;

export function InvoiceStatusBadge({ status }: { status: InvoiceStatus }) {
  return <Badge tone={invoiceTones[status]}>{invoiceStatusLabels[status]}</Badge>;
}
