import { and, asc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { invoices, subscriptions, subscriptionTiers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { systemCaller } from "../caller";
import { config } from "../../env";
import { ensureJob, type Job } from "../jobs/runner";
import { log } from "../log";
import { purgeExpiredIdempotencyKeys } from "./idempotency";
import { DAY_MS, dueAction } from "./lifecycle";
import { formatMinor } from "./money";
import { cancelNow, emailSubscriber, findOpenInvoice, lockSubscription, settleInvoice } from "./settlement";

/**
 * Renewals and lapses. Each subscription is advanced in its own transaction
 * under its row lock, taken with SKIP LOCKED: several instances running the
 * scheduler at once share the work instead of repeating it, and a renewal
 * invoice is unique per period, so running twice issues it once.
 */

export interface BillingCycleReport {
  examined: number;
  renewalsIssued: number;
  renewalsPaid: number;
  lapsed: number;
  ended: number;
  /** Locked by another instance at the time; it will do them. */
  skipped: number;
  /** Failed this time (logged); the next run tries them again. */
  failed: number;
  idempotencyKeysPurged: number;
}

// The audit log names the job that renewed, collected or ended a subscription.
const billingJob = systemCaller("billing");
const BATCH = 200;
/** Enough for a subscription that missed many periods while nothing ran. */
const MAX_STEPS = 50;

function graceMs(): number {
  return config().BILLING_GRACE_DAYS * DAY_MS;
}

type Outcome = Omit<BillingCycleReport, "examined" | "failed" | "idempotencyKeysPurged">;

/** Applies every step due for one subscription now, in one transaction. */
async function advanceSubscription(subscriptionId: string, now: Date, grace = graceMs()): Promise<Outcome> {
  const outcome: Outcome = { renewalsIssued: 0, renewalsPaid: 0, lapsed: 0, ended: 0, skipped: 0 };
  await getDb().transaction(async (tx) => {
    const sub = await lockSubscription(tx, subscriptionId, "skip");
    if (!sub) {
      outcome.skipped++;
      return;
    }
    // The renewal invoice raised in this run, if any: its first failed collection tells the client.
    let issuedNow: string | undefined;
    for (let step = 0; step < MAX_STEPS; step++) {
      const open = await findOpenInvoice(tx, sub.id);
      const action = dueAction(sub, open, now, grace);
      if (action.type === "none") return;
      if (action.type === "issue_renewal") {
        const [tier] = await tx
          .select({ amountMinor: subscriptionTiers.amountMinor, currency: subscriptionTiers.currency })
          .from(subscriptionTiers)
          .where(eq(subscriptionTiers.id, sub.tierId));
        const [issued] = await tx
          .insert(invoices)
          .values({
            partnerId: sub.partnerId,
            clientId: sub.clientId,
            subscriptionId: sub.id,
            kind: "renewal",
            amountMinor: tier!.amountMinor,
            currency: tier!.currency,
            dueAt: action.dueAt,
            periodStart: action.periodStart,
            createdAt: now,
          })
          .onConflictDoNothing()
          .returning({ id: invoices.id });
        if (!issued) return; // This period's invoice exists and is not open: nothing more to do for it.
        issuedNow = issued.id;
        outcome.renewalsIssued++;
        continue;
      }
      if (action.type === "collect") {
        const result = await settleInvoice(tx, billingJob, { subscription: sub, invoiceId: open!.id, now });
        if (result.outcome === "paid") {
          outcome.renewalsPaid++;
          continue;
        }
        // Not enough money yet: try again next cycle, until the grace period ends.
        if (!action.lapseIfUnpaid) {
          if (issuedNow === open!.id) {
            await emailSubscriber(tx, sub.id, "renewal_unpaid", (names) => ({
              ...names,
              amount: formatMinor(open!.amountMinor),
              currency: open!.currency,
              payBy: new Date(open!.dueAt.getTime() + grace).toISOString(),
            }));
            // Said once per renewal, like the email: the partner may want to nudge the client too.
            await recordAudit(tx, billingJob, {
              action: "subscription.renewal_failed",
              entityType: "subscription",
              entityId: sub.id,
              partnerId: sub.partnerId,
              after: {
                clientId: sub.clientId,
                invoiceId: open!.id,
                amount: formatMinor(open!.amountMinor),
                currency: open!.currency,
                payBy: new Date(open!.dueAt.getTime() + grace),
              },
            });
          }
          return;
        }
      }
      if (action.type === "lapse" || action.type === "collect") {
        const before = sub.status;
        await cancelNow(tx, sub, { reason: "unpaid", now, voidReason: "Unpaid after the grace period" });
        // A first invoice never paid ends quietly; a subscription the client had paid for ends with a word.
        if (before === "ACTIVE")
          await emailSubscriber(tx, sub.id, "subscription_ended", (names) => ({ ...names, reason: "unpaid" }));
        await recordAudit(tx, billingJob, {
          action: "subscription.lapsed",
          entityType: "subscription",
          entityId: sub.id,
          partnerId: sub.partnerId,
          before: { status: before },
          after: { status: "CANCELLED", clientId: sub.clientId, invoiceId: open!.id },
        });
        outcome.lapsed++;
        return;
      }
      // end: a cancelled subscription reached the end of its paid period.
      await cancelNow(tx, sub, { reason: "client", now, voidReason: "Subscription ended" });
      await emailSubscriber(tx, sub.id, "subscription_ended", (names) => ({ ...names, reason: "cancelled" }));
      await recordAudit(tx, billingJob, {
        action: "subscription.ended",
        entityType: "subscription",
        entityId: sub.id,
        partnerId: sub.partnerId,
        before: { status: "DEACTIVATING" },
        after: { status: "CANCELLED", clientId: sub.clientId },
      });
      outcome.ended++;
      return;
    }
  });
  return outcome;
}

/** Subscriptions with something due at `now`, after `afterId` in id order. */
async function dueSubscriptionIds(
  now: Date,
  grace: number,
  afterId: string | undefined,
  partnerId: number | undefined,
): Promise<string[]> {
  const db = getDb();
  const lapseBefore = new Date(now.getTime() - grace);
  const periodOver = db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        inArray(subscriptions.status, ["ACTIVE", "DEACTIVATING"]),
        lte(subscriptions.currentPeriodEnd, now),
        afterId ? gt(subscriptions.id, afterId) : undefined,
        partnerId ? eq(subscriptions.partnerId, partnerId) : undefined,
      ),
    );
  const unpaidInitial = db
    .select({ id: invoices.subscriptionId })
    .from(invoices)
    .where(
      and(
        eq(invoices.status, "open"),
        eq(invoices.kind, "initial"),
        lte(invoices.dueAt, lapseBefore),
        afterId ? gt(invoices.subscriptionId, afterId) : undefined,
        partnerId ? eq(invoices.partnerId, partnerId) : undefined,
      ),
    );
  const rows = await db
    .select({ id: sql<string>`due.id` })
    .from(sql`(${periodOver} union ${unpaidInitial}) as due`)
    .orderBy(asc(sql`due.id`))
    .limit(BATCH);
  return rows.map((r) => r.id);
}

/**
 * One pass over everything due at `now` (or only one partner's subscriptions).
 * Safe to run on several instances and more than once.
 */
export async function runBillingCycle(
  o: { now?: Date; grace?: number; partnerId?: number } = {},
): Promise<BillingCycleReport> {
  const now = o.now ?? new Date();
  const grace = o.grace ?? graceMs();
  const report: BillingCycleReport = {
    examined: 0,
    renewalsIssued: 0,
    renewalsPaid: 0,
    lapsed: 0,
    ended: 0,
    skipped: 0,
    failed: 0,
    idempotencyKeysPurged: 0,
  };
  let afterId: string | undefined;
  for (;;) {
    const ids = await dueSubscriptionIds(now, grace, afterId, o.partnerId);
    for (const id of ids) {
      report.examined++;
      try {
        const outcome = await advanceSubscription(id, now, grace);
        for (const key of Object.keys(outcome) as Array<keyof Outcome>) report[key] += outcome[key];
      } catch (error) {
        // One subscription's failure (a deadlock, an outage) must not hold up the others; it is retried next run.
        report.failed++;
        log.warn("billing could not advance a subscription; it will be retried", { subscriptionId: id, error });
      }
    }
    if (ids.length < BATCH) break;
    afterId = ids[ids.length - 1];
  }
  // Housekeeping belongs to whole runs only, not to one partner's.
  if (o.partnerId === undefined) report.idempotencyKeysPurged = await purgeExpiredIdempotencyKeys(getDb());
  return report;
}

/**
 * Runs a billing cycle every BILLING_INTERVAL_SECONDS in this process, the
 * first a second after start, when BILLING_SCHEDULER is "on". Every instance
 * may run it: the row locks above share the work. Never throws.
 */
export function ensureBillingScheduler(): Job | undefined {
  if (config().BILLING_SCHEDULER !== "on") return undefined;
  const intervalMs = config().BILLING_INTERVAL_SECONDS * 1000;
  return ensureJob({
    name: "billing",
    intervalMs,
    firstRunMs: 1000,
    // A failed cycle is tried again at the next tick, not sooner: the cycle is the retry.
    maxErrorDelayMs: intervalMs,
    failureMessage: "billing cycle failed; will retry",
    async run() {
      const report = await runBillingCycle();
      if (report.renewalsIssued + report.renewalsPaid + report.lapsed + report.ended > 0)
        log.info("billing cycle", { ...report });
      // A cycle already walks everything due, batch by batch.
      return false;
    },
  });
}
