import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { clients, invoices, partners, payments, subscriptions, subscriptionTiers } from "../../db/schema";
import { enqueueEmail } from "../mail/outbox";
import type { EmailData, EmailTemplate } from "../mail/templates";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import { AppError } from "../errors";
import { balanceOf, lockAccount, postTransaction, systemAccount } from "./ledger";
import { afterPayment, isPayable, onCancel, type Interval } from "./lifecycle";
import { formatMinor } from "./money";
import {
  invoiceColumns,
  paymentColumns,
  subscriptionColumns,
  type InvoiceRow,
  type PaymentRow,
  type SubscriptionRow,
} from "./views";

/**
 * The steps that change a subscription, its invoices and the ledger, all
 * inside a caller's transaction. Locks are always taken in the same order —
 * subscription, then invoice, then account — so payments, cancellations and
 * the scheduler never deadlock one another.
 */

export type LockedSubscription = SubscriptionRow & { interval: Interval };

export async function lockSubscription(
  tx: Tx,
  subscriptionId: string,
  mode: "wait" | "skip" = "wait",
): Promise<LockedSubscription | undefined> {
  const [row] = await tx
    .select({ ...subscriptionColumns, updatedAt: subscriptions.updatedAt, interval: subscriptionTiers.interval })
    .from(subscriptions)
    .innerJoin(subscriptionTiers, eq(subscriptionTiers.id, subscriptions.tierId))
    .where(eq(subscriptions.id, subscriptionId))
    .for("no key update", mode === "skip" ? { of: subscriptions, skipLocked: true } : { of: subscriptions });
  return row;
}

export async function lockInvoice(tx: Tx, invoiceId: string): Promise<InvoiceRow> {
  const [row] = await tx.select(invoiceColumns).from(invoices).where(eq(invoices.id, invoiceId)).for("no key update");
  return row!;
}

export async function findOpenInvoice(tx: Tx, subscriptionId: string): Promise<InvoiceRow | undefined> {
  const [row] = await tx
    .select(invoiceColumns)
    .from(invoices)
    .where(and(eq(invoices.subscriptionId, subscriptionId), eq(invoices.status, "open")))
    .for("no key update");
  return row;
}

async function findPayment(tx: Tx, invoiceId: string): Promise<PaymentRow | undefined> {
  const [row] = await tx.select(paymentColumns).from(payments).where(eq(payments.invoiceId, invoiceId));
  return row;
}

/**
 * The account a payment debits: one of the invoice's client's CHECKING
 * accounts, in the invoice's currency. Foreign accounts do not exist.
 */
async function checkPaymentAccount(tx: Tx, invoice: InvoiceRow, accountId: string) {
  const account = await lockAccount(tx, accountId, invoice.clientId);
  if (!account || account.type !== "CHECKING") {
    throw AppError.field("account_not_found", "accountId", "No such account among yours");
  }
  if (account.currency !== invoice.currency) {
    throw AppError.field(
      "currency_mismatch",
      "accountId",
      `The invoice is in ${invoice.currency} and this account in ${account.currency}; Gatehouse does not convert currencies`,
    );
  }
  return account;
}

/**
 * The invoice's payment, created on first ask. Paid payments are returned as
 * they are. Without an account named, an existing payment keeps its own and a
 * new one debits `defaultAccountId` (the subscription's account).
 */
export async function getOrCreatePaymentRow(
  tx: Tx,
  invoice: InvoiceRow,
  accountId: string | undefined,
  defaultAccountId: string,
): Promise<{ payment: PaymentRow; created: boolean }> {
  const existing = await findPayment(tx, invoice.id);
  if (existing) {
    if (existing.status === "PENDING" && accountId !== undefined && existing.accountId !== accountId) {
      throw AppError.field(
        "payment_account_conflict",
        "accountId",
        "This invoice's payment is already set up from another account",
      );
    }
    return { payment: existing, created: false };
  }
  const debited = accountId ?? defaultAccountId;
  await checkPaymentAccount(tx, invoice, debited);
  const [payment] = await tx
    .insert(payments)
    .values({
      invoiceId: invoice.id,
      type: "PLATFORM",
      accountId: debited,
      amountMinor: invoice.amountMinor,
      currency: invoice.currency,
    })
    .returning(paymentColumns);
  return { payment: payment!, created: true };
}

/** Queues an email to the subscription's client, in the transaction of the change it reports. */
export async function emailSubscriber<T extends EmailTemplate>(
  tx: Tx,
  subscriptionId: string,
  template: T,
  data: (names: { partnerName: string; tierName: string }) => EmailData<T>,
) {
  const [c] = await tx
    .select({
      email: clients.email,
      clientId: clients.id,
      partnerId: partners.id,
      partnerName: partners.name,
      tierName: subscriptionTiers.name,
    })
    .from(subscriptions)
    .innerJoin(clients, eq(clients.id, subscriptions.clientId))
    .innerJoin(partners, eq(partners.id, subscriptions.partnerId))
    .innerJoin(subscriptionTiers, eq(subscriptionTiers.id, subscriptions.tierId))
    .where(eq(subscriptions.id, subscriptionId));
  if (!c) return;
  await enqueueEmail(tx, {
    template,
    to: c.email,
    data: data({ partnerName: c.partnerName, tierName: c.tierName }),
    partnerId: c.partnerId,
    clientId: c.clientId,
  });
}

export type SettleResult =
  | { outcome: "paid" | "already_paid"; payment: PaymentRow; invoice: InvoiceRow; balanceMinor: bigint }
  | { outcome: "insufficient_funds"; balanceMinor: bigint; amountMinor: bigint };

/**
 * Pays an open invoice from its payment's account: one ledger transaction
 * (client account to the partner's revenue account), the payment and invoice
 * marked paid, the subscription activated or renewed. Paying a paid invoice
 * changes nothing and reports it. The caller holds the subscription's lock.
 */
export async function settleInvoice(
  tx: Tx,
  caller: Caller,
  o: { subscription: LockedSubscription; invoiceId: string; accountId?: string; now: Date },
): Promise<SettleResult> {
  const invoice = await lockInvoice(tx, o.invoiceId);
  if (invoice.status === "paid") {
    const payment = (await findPayment(tx, invoice.id))!;
    return { outcome: "already_paid", payment, invoice, balanceMinor: await balanceOf(tx, payment.accountId) };
  }
  if (invoice.status === "void")
    throw AppError.field("invoice_not_payable", "invoiceId", "This invoice was voided and cannot be paid");
  if (!isPayable(o.subscription, invoice))
    throw AppError.field(
      "invoice_not_payable",
      "invoiceId",
      `This invoice cannot be paid while its subscription is ${o.subscription.status}`,
    );
  const { payment } = await getOrCreatePaymentRow(tx, invoice, o.accountId, o.subscription.accountId);
  const account = await checkPaymentAccount(tx, invoice, payment.accountId);

  const balance = await balanceOf(tx, account.id);
  if (balance < invoice.amountMinor)
    return { outcome: "insufficient_funds", balanceMinor: balance, amountMinor: invoice.amountMinor };

  let ledgerTransactionId: string | null = null;
  if (invoice.amountMinor > 0n) {
    const revenue = await systemAccount(tx, invoice.partnerId, "revenue", invoice.currency);
    ledgerTransactionId = await postTransaction(tx, {
      kind: "invoice_payment",
      description: `Invoice ${invoice.id} (${invoice.kind})`,
      currency: invoice.currency,
      postings: [
        { accountId: account.id, amountMinor: -invoice.amountMinor },
        { accountId: revenue, amountMinor: invoice.amountMinor },
      ],
    });
  }
  const next = afterPayment(o.subscription, invoice, o.now);
  const [paid] = await tx
    .update(payments)
    .set({ status: "PAID", paidAt: o.now, ledgerTransactionId })
    .where(eq(payments.id, payment.id))
    .returning(paymentColumns);
  const [paidInvoice] = await tx
    .update(invoices)
    .set({ status: "paid", paidAt: o.now })
    .where(eq(invoices.id, invoice.id))
    .returning(invoiceColumns);
  await tx
    .update(subscriptions)
    .set({ ...next, updatedAt: o.now })
    .where(eq(subscriptions.id, o.subscription.id));
  Object.assign(o.subscription, next);
  await recordAudit(tx, caller, {
    action: "invoice.paid",
    entityType: "invoice",
    entityId: invoice.id,
    partnerId: invoice.partnerId,
    after: {
      clientId: invoice.clientId,
      kind: invoice.kind,
      amount: formatMinor(invoice.amountMinor),
      currency: invoice.currency,
      paymentId: payment.id,
      subscriptionId: o.subscription.id,
      subscriptionStatus: next.status,
      periodEnd: next.currentPeriodEnd,
    },
  });
  await emailSubscriber(tx, o.subscription.id, "payment_received", (names) => ({
    ...names,
    amount: formatMinor(invoice.amountMinor),
    currency: invoice.currency,
    periodEnd: next.currentPeriodEnd!.toISOString(),
  }));
  return { outcome: "paid", payment: paid!, invoice: paidInvoice!, balanceMinor: balance - invoice.amountMinor };
}

async function voidInvoiceRow(tx: Tx, invoiceId: string, reason: string, now: Date): Promise<void> {
  await tx
    .update(invoices)
    .set({ status: "void", voidedAt: now, voidReason: reason })
    .where(and(eq(invoices.id, invoiceId), eq(invoices.status, "open")));
  await tx
    .update(payments)
    .set({ status: "CANCELLED" })
    .where(and(eq(payments.invoiceId, invoiceId), eq(payments.status, "PENDING")));
}

/** Ends a subscription now (voiding its open invoice). */
export async function cancelNow(
  tx: Tx,
  subscription: LockedSubscription,
  o: { reason: string; now: Date; voidReason: string },
): Promise<void> {
  const open = await findOpenInvoice(tx, subscription.id);
  if (open) await voidInvoiceRow(tx, open.id, o.voidReason, o.now);
  await tx
    .update(subscriptions)
    .set({
      status: "CANCELLED",
      cancelledAt: o.now,
      cancelReason: subscription.cancelReason ?? o.reason,
      updatedAt: o.now,
    })
    .where(eq(subscriptions.id, subscription.id));
  subscription.status = "CANCELLED";
}

/**
 * A cancellation request, by the client or by staff: unpaid subscriptions end
 * now; paid ones run to the end of their period (DEACTIVATING). Asking again
 * changes nothing.
 */
export async function requestCancellation(
  tx: Tx,
  caller: Caller,
  subscription: LockedSubscription,
  o: { reason: string; now: Date; note?: string },
) {
  const outcome = onCancel(subscription, o.now, (await findOpenInvoice(tx, subscription.id)) !== undefined);
  if ("unchanged" in outcome) return { changed: false, status: outcome.status };
  const before = { status: subscription.status };
  if (outcome.status === "CANCELLED") {
    await tx
      .update(subscriptions)
      .set({ cancelRequestedAt: o.now, cancelReason: o.reason })
      .where(eq(subscriptions.id, subscription.id));
    subscription.cancelReason = o.reason;
    await cancelNow(tx, subscription, { reason: o.reason, now: o.now, voidReason: "Subscription cancelled" });
  } else {
    await tx
      .update(subscriptions)
      .set({ status: "DEACTIVATING", cancelRequestedAt: o.now, cancelReason: o.reason, updatedAt: o.now })
      .where(eq(subscriptions.id, subscription.id));
    subscription.status = "DEACTIVATING";
  }
  await recordAudit(tx, caller, {
    action: "subscription.cancelled",
    entityType: "subscription",
    entityId: subscription.id,
    partnerId: subscription.partnerId,
    before,
    after: {
      status: outcome.status,
      clientId: subscription.clientId,
      ...(o.note ? { reason: o.note } : {}),
      ...(outcome.status === "DEACTIVATING" ? { endsAt: subscription.currentPeriodEnd } : {}),
    },
  });
  return { changed: true, status: outcome.status };
}
