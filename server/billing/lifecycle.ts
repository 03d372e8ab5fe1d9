import type { InvoiceStatus, SubscriptionStatus } from "./schemas";

/**
 * The subscription state machine, as pure functions of the stored state and
 * the time: the services and the scheduler ask it what to do and apply the
 * answer in one transaction. Tests drive it with any clock.
 *
 *   INIT ──pay initial──▶ ACTIVE ──cancel──▶ DEACTIVATING ──period ends──▶ CANCELLED
 *    │                     │  ▲                                               ▲
 *    │                     │  └─ period ends: renewal invoice, paid ─┘        │
 *    │                     └── renewal unpaid after the grace period ─────────┤
 *    └── initial invoice unpaid after the grace period, or cancelled ─────────┘
 */

export const DAY_MS = 86_400_000;
const INTERVAL_MS = { DAYS30: 30 * DAY_MS } as const;
export type Interval = keyof typeof INTERVAL_MS;

export interface SubscriptionState {
  status: SubscriptionStatus;
  interval: Interval;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
}

export interface InvoiceState {
  kind: "initial" | "renewal";
  status: InvoiceStatus;
  dueAt: Date;
  periodStart: Date | null;
}

export function periodEndFrom(start: Date, interval: Interval): Date {
  return new Date(start.getTime() + INTERVAL_MS[interval]);
}

/** The period an invoice pays for, and the status that follows, once it is paid at `paidAt`. */
export function afterPayment(
  sub: SubscriptionState,
  invoice: InvoiceState,
  paidAt: Date,
): Pick<SubscriptionState, "status" | "currentPeriodStart" | "currentPeriodEnd"> {
  if (invoice.kind === "initial") {
    if (sub.status !== "INIT")
      throw new Error(`an initial invoice is paid only while the subscription is INIT, not ${sub.status}`);
    return { status: "ACTIVE", currentPeriodStart: paidAt, currentPeriodEnd: periodEndFrom(paidAt, sub.interval) };
  }
  if (sub.status !== "ACTIVE" || !invoice.periodStart)
    throw new Error(`a renewal is paid only while the subscription is ACTIVE, not ${sub.status}`);
  // Paid late or early, the new period follows the old one without a gap or overlap.
  return {
    status: "ACTIVE",
    currentPeriodStart: invoice.periodStart,
    currentPeriodEnd: periodEndFrom(invoice.periodStart, sub.interval),
  };
}

export type CancelOutcome =
  /** Nothing was paid for, or the paid period is already over: it ends now and its open invoice is voided. */
  | { status: "CANCELLED"; voidOpenInvoice: true }
  /** Paid and running: access lasts until the period ends. */
  | { status: "DEACTIVATING"; voidOpenInvoice: false }
  /** Already cancelling or cancelled: nothing changes. */
  | { status: "DEACTIVATING" | "CANCELLED"; voidOpenInvoice: false; unchanged: true };

/** `hasOpenInvoice`: the subscription has an unpaid invoice (for an ACTIVE one, a renewal: its paid period is over). */
export function onCancel(sub: SubscriptionState, now: Date, hasOpenInvoice: boolean): CancelOutcome {
  if (sub.status === "DEACTIVATING" || sub.status === "CANCELLED")
    return { status: sub.status, voidOpenInvoice: false, unchanged: true };
  if (sub.status === "INIT") return { status: "CANCELLED", voidOpenInvoice: true };
  // ACTIVE, but its period ended (or its renewal was raised, whatever this clock says): nothing paid is left to run to.
  if (hasOpenInvoice || (sub.currentPeriodEnd && sub.currentPeriodEnd.getTime() <= now.getTime()))
    return { status: "CANCELLED", voidOpenInvoice: true };
  return { status: "DEACTIVATING", voidOpenInvoice: false };
}

/** Whether an invoice of this kind can be paid in the subscription's state (afterPayment's precondition). */
export function isPayable(
  sub: Pick<SubscriptionState, "status">,
  invoice: Pick<InvoiceState, "kind" | "periodStart">,
): boolean {
  return invoice.kind === "initial" ? sub.status === "INIT" : sub.status === "ACTIVE" && invoice.periodStart !== null;
}

export type DueAction =
  | { type: "none" }
  /** The period ended: raise the invoice for the next one, due at its start. */
  | { type: "issue_renewal"; periodStart: Date; dueAt: Date }
  /**
   * An open renewal: pay it if the balance covers it. Past its grace period an
   * unpaid one lapses; paying is still tried first, so a scheduler that was
   * down does not cancel a client who could pay.
   */
  | { type: "collect"; lapseIfUnpaid: boolean }
  /** An unpaid first invoice after the grace period: void it and cancel. */
  | { type: "lapse" }
  /** A cancelled subscription reached the end of its paid period. */
  | { type: "end" };

/**
 * What the scheduler should do for one subscription now. `openInvoice` is the
 * subscription's unpaid invoice, if any (there is at most one).
 */
export function dueAction(
  sub: SubscriptionState,
  openInvoice: InvoiceState | undefined,
  now: Date,
  graceMs: number,
): DueAction {
  const t = now.getTime();
  const lapsed = (invoice: InvoiceState) => t >= invoice.dueAt.getTime() + graceMs;
  switch (sub.status) {
    case "INIT":
      if (!openInvoice) return { type: "none" };
      return lapsed(openInvoice) ? { type: "lapse" } : { type: "none" };
    case "ACTIVE": {
      if (openInvoice) return { type: "collect", lapseIfUnpaid: lapsed(openInvoice) };
      if (sub.currentPeriodEnd && t >= sub.currentPeriodEnd.getTime())
        return { type: "issue_renewal", periodStart: sub.currentPeriodEnd, dueAt: sub.currentPeriodEnd };
      return { type: "none" };
    }
    case "DEACTIVATING":
      return sub.currentPeriodEnd && t >= sub.currentPeriodEnd.getTime() ? { type: "end" } : { type: "none" };
    case "CANCELLED":
      return { type: "none" };
  }
}
