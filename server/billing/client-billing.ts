import { and, eq } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { pgErrorCode } from "../../db/errors";
import { accounts, invoices, payments, subscriptions, subscriptionTiers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { clientOf, type Caller, type ClientActor } from "../caller";
import { config } from "../../env";
import { AppError } from "../errors";
import { formatMinor } from "./money";
import {
  type InvoicePath,
  type InvoiceView,
  type PaidView,
  type PaymentRequestInput,
  type PaymentView,
  type PayRequestInput,
  type StartSubscriptionInput,
  type SubscriptionPath,
  type SubscriptionView,
} from "./schemas";
import { getOrCreatePaymentRow, lockSubscription, requestCancellation, settleInvoice } from "./settlement";
import {
  invoiceColumns,
  subscriptionView,
  subscriptionViews,
  toInvoiceView,
  toPaymentView,
  type InvoiceRow,
} from "./views";

/**
 * What a client does with its subscriptions through the partner API. Every
 * function is scoped to the calling client (clientOf): another client's ids
 * do not exist. Money-moving ones run in the given transaction so the
 * idempotency record commits with them.
 */

function payUrlFor(invoiceId: string): string {
  return `${config().APP_URL}/invoice/${invoiceId}`;
}

export async function startSubscription(tx: Tx, caller: Caller, input: StartSubscriptionInput) {
  const client = clientOf(caller);
  const now = new Date();
  const [account] = await tx
    .select({ id: accounts.id, currency: accounts.currency })
    .from(accounts)
    .where(and(eq(accounts.id, input.accountId), eq(accounts.clientId, client.id), eq(accounts.type, "CHECKING")));
  if (!account)
    throw AppError.field(
      "account_not_found",
      "accountId",
      "No such account among yours; list them with GET /wallet/accounts",
    );
  const [tier] = await tx
    .select({
      id: subscriptionTiers.id,
      name: subscriptionTiers.name,
      currency: subscriptionTiers.currency,
      initialAmountMinor: subscriptionTiers.initialAmountMinor,
    })
    .from(subscriptionTiers)
    .where(
      and(
        eq(subscriptionTiers.id, input.subscriptionDetailsId),
        eq(subscriptionTiers.partnerId, client.partnerId),
        eq(subscriptionTiers.status, "active"),
      ),
    )
    // Shared: the tier cannot be archived or repriced halfway through this start.
    .for("share");
  if (!tier)
    throw AppError.field(
      "tier_not_found",
      "subscriptionDetailsId",
      "No such tier is available; list them with GET /reg/subscription/details/available",
    );
  if (tier.currency !== account.currency) {
    throw AppError.field(
      "currency_mismatch",
      "accountId",
      `The tier is priced in ${tier.currency} and this account holds ${account.currency}; Gatehouse does not convert currencies`,
    );
  }
  let subscriptionId: string;
  try {
    // A savepoint, so a duplicate is reported as such rather than aborting the transaction.
    subscriptionId = await tx.transaction(async (sp) => {
      const [row] = await sp
        .insert(subscriptions)
        .values({
          partnerId: client.partnerId,
          clientId: client.id,
          accountId: account.id,
          tierId: tier.id,
          status: "INIT",
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: subscriptions.id });
      return row!.id;
    });
  } catch (error) {
    if (pgErrorCode(error) === "23505") {
      throw AppError.field(
        "already_subscribed",
        "subscriptionDetailsId",
        "You already have a subscription to this tier; cancel it before starting another",
      );
    }
    throw error;
  }
  const [invoice] = await tx
    .insert(invoices)
    .values({
      partnerId: client.partnerId,
      clientId: client.id,
      subscriptionId,
      kind: "initial",
      amountMinor: tier.initialAmountMinor,
      currency: tier.currency,
      dueAt: now,
      createdAt: now,
    })
    .returning({ id: invoices.id });
  await recordAudit(tx, caller, {
    action: "subscription.started",
    entityType: "subscription",
    entityId: subscriptionId,
    partnerId: client.partnerId,
    after: { tierId: tier.id, tierName: tier.name, accountId: account.id, invoiceId: invoice!.id },
  });
  return {
    id: invoice!.id,
    subscriptionId,
    payUrl: payUrlFor(invoice!.id),
    result: 0 as const,
    desc: `Subscription to ${tier.name} started; pay invoice ${invoice!.id} to activate it`,
  };
}

export function listSubscriptions(caller: Caller): Promise<SubscriptionView[]> {
  return subscriptionViews(getDb(), { clientId: clientOf(caller).id });
}

export async function cancelSubscription(tx: Tx, caller: Caller, input: SubscriptionPath): Promise<SubscriptionView> {
  const client = clientOf(caller);
  const subscription = await lockSubscription(tx, input.subscriptionId);
  if (!subscription || subscription.clientId !== client.id)
    throw AppError.field("subscription_not_found", "subscriptionId", "No such subscription among yours");
  await requestCancellation(tx, caller, subscription, { reason: "client", now: new Date() });
  return subscriptionView(tx, client.id, subscription.id);
}

async function findClientInvoice(
  tx: Tx | ReturnType<typeof getDb>,
  client: ClientActor,
  invoiceId: string,
): Promise<InvoiceRow> {
  const [invoice] = await tx
    .select(invoiceColumns)
    .from(invoices)
    .where(and(eq(invoices.id, invoiceId), eq(invoices.clientId, client.id)));
  if (!invoice) throw AppError.field("invoice_not_found", "invoiceId", "No such invoice among yours");
  return invoice;
}

export async function getInvoice(caller: Caller, input: InvoicePath): Promise<InvoiceView> {
  const db = getDb();
  const invoice = await findClientInvoice(db, clientOf(caller), input.invoiceId);
  const [payment] = await db.select({ id: payments.id }).from(payments).where(eq(payments.invoiceId, invoice.id));
  return toInvoiceView(invoice, payment?.id ?? null);
}

/** "Payment Get or Create": the invoice's one payment, made on first ask. */
export async function getOrCreatePayment(
  tx: Tx,
  caller: Caller,
  input: PaymentRequestInput,
): Promise<{ payment: PaymentView; created: boolean }> {
  const found = await findClientInvoice(tx, clientOf(caller), input.invoiceId);
  if (input.currency && input.currency !== found.currency) {
    throw AppError.field("currency_mismatch", "currency", `The invoice is in ${found.currency}`);
  }
  const subscription = await lockSubscription(tx, found.subscriptionId);
  const invoice = (
    await tx.select(invoiceColumns).from(invoices).where(eq(invoices.id, found.id)).for("no key update")
  )[0]!;
  if (invoice.status === "void")
    throw AppError.field("invoice_not_payable", "invoiceId", "This invoice was voided and cannot be paid");
  const { payment, created } = await getOrCreatePaymentRow(tx, invoice, input.accountId, subscription!.accountId);
  return { payment: toPaymentView(payment), created };
}

/** "Pay Invoice": debits the account once, however often or concurrently it is asked. */
export async function payInvoice(tx: Tx, caller: Caller, input: PayRequestInput): Promise<PaidView> {
  const client = clientOf(caller);
  let invoiceId = input.invoiceId;
  if (!invoiceId) {
    const [payment] = await tx
      .select({ invoiceId: payments.invoiceId })
      .from(payments)
      .innerJoin(invoices, eq(invoices.id, payments.invoiceId))
      .where(and(eq(payments.id, input.paymentId!), eq(invoices.clientId, client.id)));
    if (!payment) throw AppError.field("payment_not_found", "paymentId", "No such payment among yours");
    invoiceId = payment.invoiceId;
  }
  const found = await findClientInvoice(tx, client, invoiceId);
  const subscription = (await lockSubscription(tx, found.subscriptionId))!;
  const result = await settleInvoice(tx, caller, { subscription, invoiceId: found.id, now: new Date() });
  if (result.outcome === "insufficient_funds") {
    throw new AppError("insufficient_funds", "The account's balance does not cover this invoice", {
      fields: [{ path: "accountId", message: "Insufficient funds" }],
      details: { amount: formatMinor(result.amountMinor), balance: formatMinor(result.balanceMinor) },
    });
  }
  return {
    payment: toPaymentView(result.payment),
    invoice: toInvoiceView(result.invoice, result.payment.id),
    subscription: await subscriptionView(tx, client.id, subscription.id),
    balance: formatMinor(result.balanceMinor),
    alreadyPaid: result.outcome === "already_paid",
  };
}
