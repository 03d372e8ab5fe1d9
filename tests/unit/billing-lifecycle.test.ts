import { describe, expect, it } from "vitest";
import {
  afterPayment,
  DAY_MS,
  dueAction,
  isPayable,
  onCancel,
  periodEndFrom,
  type InvoiceState,
  type SubscriptionState,
} from "../../server/billing/lifecycle";

const GRACE = 7 * DAY_MS;
const t0 = new Date("2030-01-01T10:00:00Z");
const at = (days: number) => new Date(t0.getTime() + days * DAY_MS);

function init(): SubscriptionState {
  return { status: "INIT", interval: "DAYS30", currentPeriodStart: null, currentPeriodEnd: null };
}
const initial = (status: InvoiceState["status"] = "open"): InvoiceState => ({
  kind: "initial",
  status,
  dueAt: t0,
  periodStart: null,
});
const renewal = (periodStart: Date): InvoiceState => ({
  kind: "renewal",
  status: "open",
  dueAt: periodStart,
  periodStart,
});

/** Applies what the scheduler would, as the clock moves: a tiny simulation of the stored state. */
function simulate(
  start: SubscriptionState,
  openAtStart: InvoiceState | undefined,
  o: { balanceCovers: (now: Date) => boolean; until: Date; stepDays?: number },
) {
  let sub = { ...start };
  let open = openAtStart;
  const log: string[] = [];
  for (let now = t0; now.getTime() <= o.until.getTime(); now = new Date(now.getTime() + (o.stepDays ?? 1) * DAY_MS)) {
    for (let guard = 0; guard < 10; guard++) {
      const action = dueAction(sub, open, now, GRACE);
      if (action.type === "none") break;
      if (action.type === "issue_renewal") {
        open = renewal(action.periodStart);
        log.push(`renewal issued for ${action.periodStart.toISOString().slice(0, 10)}`);
      } else if (action.type === "collect" && o.balanceCovers(now)) {
        sub = { ...sub, ...afterPayment(sub, open!, now) };
        log.push(`renewal paid on ${now.toISOString().slice(0, 10)}`);
        open = undefined;
      } else if (action.type === "collect" && !action.lapseIfUnpaid) {
        break;
      } else if (action.type === "lapse" || action.type === "collect") {
        sub = { ...sub, status: "CANCELLED" };
        open = { ...open!, status: "void" };
        log.push(`lapsed on ${now.toISOString().slice(0, 10)}`);
        break;
      } else {
        sub = { ...sub, status: "CANCELLED" };
        log.push(`ended on ${now.toISOString().slice(0, 10)}`);
        break;
      }
    }
  }
  return { sub, open, log };
}

describe("the subscription state machine", () => {
  it("activates on the first payment for one 30-day period from the moment of payment", () => {
    const paidAt = at(2);
    expect(afterPayment(init(), initial(), paidAt)).toEqual({
      status: "ACTIVE",
      currentPeriodStart: paidAt,
      currentPeriodEnd: at(32),
    });
    expect(periodEndFrom(paidAt, "DAYS30").getTime() - paidAt.getTime()).toBe(30 * DAY_MS);
  });

  it("refuses impossible payments instead of guessing", () => {
    const active = { ...afterPayment(init(), initial(), t0), interval: "DAYS30" as const };
    expect(() => afterPayment(active, initial(), at(1))).toThrow(/INIT/);
    expect(() => afterPayment({ ...active, status: "CANCELLED" }, renewal(at(30)), at(31))).toThrow(/ACTIVE/);
  });

  it("an unpaid first invoice lapses exactly when the grace period ends", () => {
    expect(dueAction(init(), initial(), new Date(t0.getTime() + GRACE - 1), GRACE)).toEqual({ type: "none" });
    expect(dueAction(init(), initial(), new Date(t0.getTime() + GRACE), GRACE)).toEqual({ type: "lapse" });
  });

  it("renews at period end when the balance covers it, period after period, without drift", () => {
    const active: SubscriptionState = {
      status: "ACTIVE",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    expect(dueAction(active, undefined, at(29.99), GRACE)).toEqual({ type: "none" });
    expect(dueAction(active, undefined, at(30), GRACE)).toEqual({
      type: "issue_renewal",
      periodStart: at(30),
      dueAt: at(30),
    });
    const run = simulate(active, undefined, { balanceCovers: () => true, until: at(95) });
    expect(run.log).toEqual([
      "renewal issued for 2030-01-31",
      "renewal paid on 2030-01-31",
      "renewal issued for 2030-03-02",
      "renewal paid on 2030-03-02",
      "renewal issued for 2030-04-01",
      "renewal paid on 2030-04-01",
    ]);
    expect(run.sub).toMatchObject({ status: "ACTIVE", currentPeriodStart: at(90), currentPeriodEnd: at(120) });
  });

  it("a renewal paid late during grace keeps the periods back to back", () => {
    const active: SubscriptionState = {
      status: "ACTIVE",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    // Money arrives on day 34, within the 7-day grace.
    const run = simulate(active, undefined, {
      balanceCovers: (now) => now.getTime() >= at(34).getTime(),
      until: at(40),
    });
    expect(run.log).toEqual(["renewal issued for 2030-01-31", "renewal paid on 2030-02-04"]);
    expect(run.sub).toMatchObject({ status: "ACTIVE", currentPeriodStart: at(30), currentPeriodEnd: at(60) });
  });

  it("an unpaid renewal lapses to CANCELLED when the grace period ends, not before", () => {
    const active: SubscriptionState = {
      status: "ACTIVE",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    expect(dueAction(active, renewal(at(30)), at(36.9), GRACE)).toEqual({ type: "collect", lapseIfUnpaid: false });
    expect(dueAction(active, renewal(at(30)), at(37), GRACE)).toEqual({ type: "collect", lapseIfUnpaid: true });
    const run = simulate(active, undefined, { balanceCovers: () => false, until: at(60) });
    expect(run.log).toEqual(["renewal issued for 2030-01-31", "lapsed on 2030-02-07"]);
    expect(run.sub.status).toBe("CANCELLED");
    expect(run.open?.status).toBe("void");
  });

  it("cancelling: INIT ends now; ACTIVE runs to period end as DEACTIVATING, then CANCELLED without a renewal", () => {
    expect(onCancel(init(), t0, true)).toEqual({ status: "CANCELLED", voidOpenInvoice: true });
    const active: SubscriptionState = {
      status: "ACTIVE",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    expect(onCancel(active, at(10), false)).toEqual({ status: "DEACTIVATING", voidOpenInvoice: false });
    const deactivating = { ...active, status: "DEACTIVATING" as const };
    expect(onCancel(deactivating, at(11), false)).toMatchObject({ unchanged: true, status: "DEACTIVATING" });
    expect(dueAction(deactivating, undefined, at(29), GRACE)).toEqual({ type: "none" });
    const run = simulate(deactivating, undefined, { balanceCovers: () => true, until: at(45) });
    expect(run.log).toEqual(["ended on 2030-01-31"]);
    expect(run.sub.status).toBe("CANCELLED");
  });

  it("cancelling an ACTIVE subscription whose renewal is overdue ends it now", () => {
    const overdue: SubscriptionState = {
      status: "ACTIVE",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    expect(onCancel(overdue, at(31), true)).toEqual({ status: "CANCELLED", voidOpenInvoice: true });
  });

  it("after a long outage, a renewal past its grace is still paid when the balance covers it", () => {
    const active: SubscriptionState = {
      status: "ACTIVE",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    // Nothing ran between day 0 and day 95; the balance covers everything.
    const run = simulate(active, undefined, { balanceCovers: () => true, until: at(95), stepDays: 95 });
    expect(run.log).toEqual([
      "renewal issued for 2030-01-31",
      "renewal paid on 2030-04-06",
      "renewal issued for 2030-03-02",
      "renewal paid on 2030-04-06",
      "renewal issued for 2030-04-01",
      "renewal paid on 2030-04-06",
    ]);
    expect(run.sub).toMatchObject({ status: "ACTIVE", currentPeriodEnd: at(120) });
  });

  it("cancelling an ACTIVE subscription with an open renewal ends it now, even if this clock says the period runs on", () => {
    const active: SubscriptionState = {
      status: "ACTIVE",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    expect(onCancel(active, at(29.9), true)).toEqual({ status: "CANCELLED", voidOpenInvoice: true });
  });

  it("says which invoices a subscription's state allows paying", () => {
    expect(isPayable({ status: "INIT" }, initial())).toBe(true);
    expect(isPayable({ status: "ACTIVE" }, initial())).toBe(false);
    expect(isPayable({ status: "ACTIVE" }, renewal(at(30)))).toBe(true);
    expect(isPayable({ status: "DEACTIVATING" }, renewal(at(30)))).toBe(false);
    expect(isPayable({ status: "CANCELLED" }, renewal(at(30)))).toBe(false);
  });

  it("does nothing for cancelled subscriptions, whatever the time", () => {
    const cancelled: SubscriptionState = {
      status: "CANCELLED",
      interval: "DAYS30",
      currentPeriodStart: t0,
      currentPeriodEnd: at(30),
    };
    expect(dueAction(cancelled, undefined, at(400), GRACE)).toEqual({ type: "none" });
    expect(onCancel(cancelled, at(400), false)).toMatchObject({ unchanged: true, status: "CANCELLED" });
  });
});
