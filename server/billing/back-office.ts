import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { getDb } from "../../db/client";
import { accounts, clients, invoices, partners, payments, subscriptions, subscriptionTiers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { assertInScope, inScope, type PartnerScope } from "../auth/policies";
import { scopeOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { keysetPage, timeCursor, timeKeyOf } from "../keyset";
import { balanceOf, postTransaction, systemAccount } from "./ledger";
import { formatMinor } from "./money";
import type {
  ClientBillingTarget,
  CreditAccountInput,
  InvoiceListInput,
  StaffCancelSubscriptionInput,
  SubscriptionListInput,
  VoidInvoiceInput,
} from "./schemas";
import { cancelNow, lockInvoice, lockSubscription, requestCancellation } from "./settlement";

/** The back office's billing: lists, a client's billing, voiding, cancelling and sandbox credit, within the caller's partners. */

function afterCursor(raw: string, createdAt: PgColumn, id: PgColumn): SQL {
  const after = timeCursor.uuid.decode(raw);
  return sql`(${createdAt}, ${id}) < (${after.k}::timestamptz, ${after.id}::uuid)`;
}

function scopeCondition(scope: PartnerScope, column: PgColumn, partnerId: number | undefined): SQL | undefined {
  if (partnerId !== undefined) {
    assertInScope(scope, partnerId);
    return eq(column, partnerId);
  }
  if (scope.partnerIds === undefined) return undefined;
  return scope.partnerIds.length === 0 ? sql`false` : inArray(column, scope.partnerIds);
}

const clientEmail = (email: string | undefined) => (email ? sql`lower(${clients.email}) = lower(${email})` : undefined);

export async function listSubscriptionsForStaff(caller: Caller, input: SubscriptionListInput) {
  const rows = await getDb()
    .select({
      id: subscriptions.id,
      status: subscriptions.status,
      currentPeriodStart: subscriptions.currentPeriodStart,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      cancelledAt: subscriptions.cancelledAt,
      cancelReason: subscriptions.cancelReason,
      createdAt: subscriptions.createdAt,
      tierId: subscriptionTiers.id,
      tierName: subscriptionTiers.name,
      amountMinor: subscriptionTiers.amountMinor,
      currency: subscriptionTiers.currency,
      partnerId: partners.id,
      partnerName: partners.name,
      clientId: clients.id,
      clientEmail: clients.email,
      sortKey: timeKeyOf(subscriptions.createdAt),
    })
    .from(subscriptions)
    .innerJoin(subscriptionTiers, eq(subscriptionTiers.id, subscriptions.tierId))
    .innerJoin(partners, eq(partners.id, subscriptions.partnerId))
    .innerJoin(clients, eq(clients.id, subscriptions.clientId))
    .where(
      and(
        scopeCondition(scopeOf(caller), subscriptions.partnerId, input.partnerId),
        input.status ? eq(subscriptions.status, input.status) : undefined,
        input.tierId ? eq(subscriptions.tierId, input.tierId) : undefined,
        clientEmail(input.email),
        input.cursor ? afterCursor(input.cursor, subscriptions.createdAt, subscriptions.id) : undefined,
      ),
    )
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(input.limit + 1);
  const result = keysetPage(rows, input.limit);
  return {
    ...result,
    items: result.items.map(({ amountMinor, ...r }) => ({ ...r, amount: formatMinor(amountMinor) })),
  };
}

export async function listInvoicesForStaff(caller: Caller, input: InvoiceListInput) {
  const rows = await getDb()
    .select({
      id: invoices.id,
      kind: invoices.kind,
      status: invoices.status,
      amountMinor: invoices.amountMinor,
      currency: invoices.currency,
      dueAt: invoices.dueAt,
      paidAt: invoices.paidAt,
      voidedAt: invoices.voidedAt,
      voidReason: invoices.voidReason,
      createdAt: invoices.createdAt,
      subscriptionId: invoices.subscriptionId,
      tierName: subscriptionTiers.name,
      partnerId: partners.id,
      partnerName: partners.name,
      clientId: clients.id,
      clientEmail: clients.email,
      sortKey: timeKeyOf(invoices.createdAt),
    })
    .from(invoices)
    .innerJoin(subscriptions, eq(subscriptions.id, invoices.subscriptionId))
    .innerJoin(subscriptionTiers, eq(subscriptionTiers.id, subscriptions.tierId))
    .innerJoin(partners, eq(partners.id, invoices.partnerId))
    .innerJoin(clients, eq(clients.id, invoices.clientId))
    .where(
      and(
        scopeCondition(scopeOf(caller), invoices.partnerId, input.partnerId),
        input.status ? eq(invoices.status, input.status) : undefined,
        input.kind ? eq(invoices.kind, input.kind) : undefined,
        clientEmail(input.email),
        input.cursor ? afterCursor(input.cursor, invoices.createdAt, invoices.id) : undefined,
      ),
    )
    .orderBy(desc(invoices.createdAt), desc(invoices.id))
    .limit(input.limit + 1);
  const result = keysetPage(rows, input.limit);
  return {
    ...result,
    items: result.items.map(({ amountMinor, ...r }) => ({ ...r, amount: formatMinor(amountMinor) })),
  };
}

const CLIENT_BILLING_SHOWN = 50;

/** A client's subscriptions and invoices for the client page (the caller has checked the client is in scope). */
async function getClientBilling(clientId: string) {
  const db = getDb();
  const subs = await db
    .select({
      id: subscriptions.id,
      status: subscriptions.status,
      currentPeriodStart: subscriptions.currentPeriodStart,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      cancelledAt: subscriptions.cancelledAt,
      createdAt: subscriptions.createdAt,
      tierId: subscriptionTiers.id,
      tierName: subscriptionTiers.name,
      amountMinor: subscriptionTiers.amountMinor,
      currency: subscriptionTiers.currency,
    })
    .from(subscriptions)
    .innerJoin(subscriptionTiers, eq(subscriptionTiers.id, subscriptions.tierId))
    .where(eq(subscriptions.clientId, clientId))
    .orderBy(desc(subscriptions.createdAt))
    .limit(CLIENT_BILLING_SHOWN);
  const invs = await db
    .select({
      id: invoices.id,
      subscriptionId: invoices.subscriptionId,
      kind: invoices.kind,
      status: invoices.status,
      amountMinor: invoices.amountMinor,
      currency: invoices.currency,
      dueAt: invoices.dueAt,
      paidAt: invoices.paidAt,
      voidReason: invoices.voidReason,
      createdAt: invoices.createdAt,
      paymentId: payments.id,
    })
    .from(invoices)
    .leftJoin(payments, eq(payments.invoiceId, invoices.id))
    .where(eq(invoices.clientId, clientId))
    .orderBy(desc(invoices.createdAt))
    .limit(CLIENT_BILLING_SHOWN);
  return {
    subscriptions: subs.map(({ amountMinor, ...s }) => ({ ...s, amount: formatMinor(amountMinor) })),
    invoices: invs.map(({ amountMinor, ...i }) => ({ ...i, amount: formatMinor(amountMinor) })),
  };
}

/**
 * A client's billing for a staff member, with whether the client's partner is
 * a sandbox (whose clients staff may credit). A client outside the staff
 * member's partners answers not_found, exactly like an unknown id.
 */
export async function getClientBillingForStaff(caller: Caller, input: ClientBillingTarget) {
  const [client] = await getDb()
    .select({ partnerId: clients.partnerId, sandbox: partners.sandbox })
    .from(clients)
    .innerJoin(partners, eq(partners.id, clients.partnerId))
    .where(eq(clients.id, input.clientId));
  if (!client || !inScope(scopeOf(caller), client.partnerId)) throw new AppError("not_found", "No such client");
  return { partner: { id: client.partnerId, sandbox: client.sandbox }, ...(await getClientBilling(input.clientId)) };
}

/**
 * Voids an open invoice: it will never be paid, so the subscription it
 * belongs to ends now (an unpaid first invoice, or a renewal for a period
 * that has already begun unpaid).
 */
export async function voidInvoice(caller: Caller, input: VoidInvoiceInput) {
  const now = new Date();
  return getDb().transaction(async (tx) => {
    const [found] = await tx
      .select({ subscriptionId: invoices.subscriptionId, partnerId: invoices.partnerId })
      .from(invoices)
      .where(eq(invoices.id, input.invoiceId));
    if (!found) throw AppError.field("invoice_not_found", "invoiceId", "No such invoice");
    assertInScope(scopeOf(caller), found.partnerId);
    const subscription = (await lockSubscription(tx, found.subscriptionId))!;
    const invoice = await lockInvoice(tx, input.invoiceId);
    if (invoice.status !== "open")
      throw AppError.field(
        "invoice_not_payable",
        "invoiceId",
        `Only open invoices can be voided; this one is ${invoice.status}`,
      );
    const before = { invoice: invoice.status, subscription: subscription.status };
    await cancelNow(tx, subscription, { reason: "invoice_voided", now, voidReason: input.reason });
    await recordAudit(tx, caller, {
      action: "invoice.voided",
      entityType: "invoice",
      entityId: invoice.id,
      partnerId: invoice.partnerId,
      before,
      after: {
        invoice: "void",
        subscription: "CANCELLED",
        reason: input.reason,
        amount: formatMinor(invoice.amountMinor),
        currency: invoice.currency,
      },
    });
    return { invoiceId: invoice.id, status: "void" as const, subscriptionStatus: "CANCELLED" as const };
  });
}

/** Staff cancel as the client would: unpaid ends now, paid runs to the end of its period. */
export async function cancelSubscriptionForStaff(caller: Caller, input: StaffCancelSubscriptionInput) {
  return getDb().transaction(async (tx) => {
    const subscription = await lockSubscription(tx, input.subscriptionId);
    if (!subscription) throw AppError.field("subscription_not_found", "subscriptionId", "No such subscription");
    assertInScope(scopeOf(caller), subscription.partnerId);
    const result = await requestCancellation(tx, caller, subscription, {
      reason: "staff",
      note: input.reason,
      now: new Date(),
    });
    if (!result.changed)
      throw AppError.field(
        "subscription_cancelled",
        "subscriptionId",
        `This subscription is already ${result.status === "CANCELLED" ? "cancelled" : "ending at the end of its period"}`,
      );
    return {
      subscriptionId: subscription.id,
      status: result.status,
      endsAt: result.status === "DEACTIVATING" ? subscription.currentPeriodEnd : null,
    };
  });
}

/**
 * Sandbox money: credits a client's CHECKING account from the partner's
 * sandbox funding account, one balanced ledger transaction, audited. Refused
 * for partners that are not sandboxes.
 */
export async function creditSandboxAccount(caller: Caller, input: CreditAccountInput) {
  return getDb().transaction(async (tx) => {
    const [client] = await tx
      .select({
        id: clients.id,
        partnerId: clients.partnerId,
        sandbox: partners.sandbox,
        accountId: accounts.id,
        currency: accounts.currency,
      })
      .from(clients)
      .innerJoin(partners, eq(partners.id, clients.partnerId))
      .innerJoin(accounts, and(eq(accounts.clientId, clients.id), eq(accounts.type, "CHECKING")))
      .where(eq(clients.id, input.clientId))
      .orderBy(accounts.createdAt)
      .limit(1);
    if (!client) throw AppError.field("not_found", "clientId", "No such client");
    assertInScope(scopeOf(caller), client.partnerId);
    if (!client.sandbox)
      throw AppError.field(
        "sandbox_only",
        "clientId",
        "Only clients of sandbox partners can be credited; real money arrives through payments",
      );
    const funding = await systemAccount(tx, client.partnerId, "sandbox_funding", client.currency);
    const transactionId = await postTransaction(tx, {
      kind: "sandbox_credit",
      description: input.note ? `Sandbox credit: ${input.note}` : "Sandbox credit",
      currency: client.currency,
      postings: [
        { accountId: funding, amountMinor: -input.amount },
        { accountId: client.accountId, amountMinor: input.amount },
      ],
    });
    const balance = await balanceOf(tx, client.accountId);
    const after = {
      accountId: client.accountId,
      amount: formatMinor(input.amount),
      currency: client.currency,
      balance: formatMinor(balance),
      transactionId,
      ...(input.note ? { note: input.note } : {}),
    };
    await recordAudit(tx, caller, {
      action: "account.credited",
      entityType: "client",
      entityId: client.id,
      partnerId: client.partnerId,
      after,
    });
    return after;
  });
}
