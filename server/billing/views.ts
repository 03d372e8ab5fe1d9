import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { invoices, payments, subscriptions, subscriptionTiers } from "../../db/schema";
import { formatMinor } from "./money";
import type { InvoiceView, PaymentView, SubscriptionView } from "./schemas";

/** The columns the billing services read, and how rows become the public views. */

export const subscriptionColumns = {
  id: subscriptions.id,
  partnerId: subscriptions.partnerId,
  clientId: subscriptions.clientId,
  accountId: subscriptions.accountId,
  tierId: subscriptions.tierId,
  status: subscriptions.status,
  currentPeriodStart: subscriptions.currentPeriodStart,
  currentPeriodEnd: subscriptions.currentPeriodEnd,
  cancelRequestedAt: subscriptions.cancelRequestedAt,
  cancelledAt: subscriptions.cancelledAt,
  cancelReason: subscriptions.cancelReason,
  createdAt: subscriptions.createdAt,
};
export type SubscriptionRow = typeof subscriptions.$inferSelect;

export const invoiceColumns = {
  id: invoices.id,
  partnerId: invoices.partnerId,
  clientId: invoices.clientId,
  subscriptionId: invoices.subscriptionId,
  kind: invoices.kind,
  amountMinor: invoices.amountMinor,
  currency: invoices.currency,
  status: invoices.status,
  dueAt: invoices.dueAt,
  periodStart: invoices.periodStart,
  paidAt: invoices.paidAt,
  voidedAt: invoices.voidedAt,
  voidReason: invoices.voidReason,
  createdAt: invoices.createdAt,
};
export type InvoiceRow = Pick<typeof invoices.$inferSelect, keyof typeof invoiceColumns>;

export const paymentColumns = {
  id: payments.id,
  invoiceId: payments.invoiceId,
  type: payments.type,
  accountId: payments.accountId,
  amountMinor: payments.amountMinor,
  currency: payments.currency,
  status: payments.status,
  ledgerTransactionId: payments.ledgerTransactionId,
  paidAt: payments.paidAt,
  createdAt: payments.createdAt,
};
export type PaymentRow = typeof payments.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toInvoiceView(i: InvoiceRow, paymentId: string | null): InvoiceView {
  return {
    id: i.id,
    subscriptionId: i.subscriptionId,
    kind: i.kind,
    amount: formatMinor(i.amountMinor),
    currency: i.currency,
    status: i.status,
    dueDate: i.dueAt.toISOString(),
    periodStart: iso(i.periodStart),
    paidAt: iso(i.paidAt),
    paymentId,
    createdAt: i.createdAt.toISOString(),
  };
}

export function toPaymentView(p: PaymentRow): PaymentView {
  return {
    id: p.id,
    invoiceId: p.invoiceId,
    type: "PLATFORM",
    accountId: p.accountId,
    amount: formatMinor(p.amountMinor),
    currency: p.currency,
    status: p.status,
    paidAt: iso(p.paidAt),
    createdAt: p.createdAt.toISOString(),
  };
}

/** Subscriptions as the client sees them, with their tier and open invoice. */
export async function subscriptionViews(
  db: Executor,
  where: { clientId: string; subscriptionIds?: string[] },
): Promise<SubscriptionView[]> {
  const rows = await db
    .select({
      ...subscriptionColumns,
      tierName: subscriptionTiers.name,
      amountMinor: subscriptionTiers.amountMinor,
      currency: subscriptionTiers.currency,
      interval: subscriptionTiers.interval,
      openInvoiceId: invoices.id,
    })
    .from(subscriptions)
    .innerJoin(subscriptionTiers, eq(subscriptionTiers.id, subscriptions.tierId))
    .leftJoin(invoices, and(eq(invoices.subscriptionId, subscriptions.id), eq(invoices.status, "open")))
    .where(
      and(
        eq(subscriptions.clientId, where.clientId),
        where.subscriptionIds ? inArray(subscriptions.id, where.subscriptionIds) : undefined,
      ),
    )
    .orderBy(subscriptions.createdAt, subscriptions.id);
  return rows.map((r) => ({
    id: r.id,
    accountId: r.accountId,
    subscriptionDetailsId: r.tierId,
    name: r.tierName,
    status: r.status,
    amount: formatMinor(r.amountMinor),
    currency: r.currency,
    interval: r.interval,
    currentPeriodStart: iso(r.currentPeriodStart),
    currentPeriodEnd: iso(r.currentPeriodEnd),
    openInvoiceId: r.openInvoiceId,
    cancelledAt: iso(r.cancelledAt),
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function subscriptionView(
  db: Executor,
  clientId: string,
  subscriptionId: string,
): Promise<SubscriptionView> {
  const [view] = await subscriptionViews(db, { clientId, subscriptionIds: [subscriptionId] });
  return view!;
}
