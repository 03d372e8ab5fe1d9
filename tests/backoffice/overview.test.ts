import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients, funnelRollupState, partners, pendingRegistrations } from "../../db/schema";
import { systemCaller } from "../../server/caller";
import { seedCommand } from "../../server/cli/commands";
import { startImport } from "../../server/imports/control";
import { importClaimant, runImportToCompletion } from "../../server/imports/run";
import { stageImport } from "../../server/imports/stage";
import { refreshFunnelRollup } from "../../server/overview/funnel-rollup";
import type { Funnel } from "../../server/overview/funnel";
import {
  createTestPartner,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type TestPartner,
} from "../support/api";
import { credit, registerSubscriber, sandboxPartnerWithTier } from "../support/billing";
import { callerFor, createTestStaff } from "../support/staff";

const api = useApi();
const DAY_MS = 86_400_000;

async function stepOne(partner: TestPartner, email: string) {
  const res = await api.post(
    "/reg/user",
    { email, password: STRONG_PARTNER_PASSWORD },
    { partnerId: String(partner.id) },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(202);
}

async function stepTwo(partner: TestPartner, email: string) {
  const res = await api.post(
    "/reg/user",
    { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: "12345" },
    { partnerId: String(partner.id) },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** A white-label client; with `verificationStatus` it is registered with the partner's master key. */
async function whiteLabel(
  partner: TestPartner,
  verificationStatus?: "email_verified" | "identified",
): Promise<{ id: string; email: string }> {
  const body = whiteLabelBody(
    verificationStatus ? { verificationStatus, verificationLevel: verificationStatus === "identified" ? 2 : 0 } : {},
  );
  const headers: Record<string, string> = verificationStatus
    ? { authorization: `Bearer ${partner.masterKey}` }
    : { partnerId: String(partner.id) };
  const res = await api.post("/api/public/register", body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.clientId, email: body.email };
}

const daysAgo = (n: number) => sql`now() - make_interval(days => ${n})`;

async function moveClient(id: string, days: number) {
  await getDb()
    .update(clients)
    .set({ createdAt: daysAgo(days) })
    .where(eq(clients.id, id));
}

/** Moves every step-1 row of an email back in time, as if the registration had started `days` ago. */
async function movePending(partner: TestPartner, email: string, days: number) {
  await getDb()
    .update(pendingRegistrations)
    .set({ createdAt: daysAgo(days), lastSentAt: daysAgo(days) })
    .where(
      and(eq(pendingRegistrations.partnerId, partner.id), sql`lower(${pendingRegistrations.email}) = lower(${email})`),
    );
}

const counts = (f: Funnel) => Object.fromEntries(f.stages.map((s) => [s.key, s.count]));
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function expectZeroFilledTrend(f: Funnel, days: number) {
  const today = Date.parse(`${utcDay(Date.now())}T00:00:00Z`);
  expect(f.trend.map((d) => d.day)).toEqual(
    Array.from({ length: days }, (_, i) => utcDay(today - (days - 1 - i) * DAY_MS)),
  );
  expect(f.from).toBe(f.trend[0]!.day);
  expect(f.to).toBe(f.trend.at(-1)!.day);
  for (const stage of f.stages)
    expect(
      f.trend.reduce((sum, d) => sum + d.counts[stage.key], 0),
      `${stage.key} by day`,
    ).toBe(stage.count);
}

describe("overview: onboarding funnel", () => {
  it("counts each registration once, whichever way it started, and follows it through the stages", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner({ sandbox: true });

    // Partner API: one step 1 left waiting; one completed; one whose code expired and which succeeded on a retry.
    const waiting = uniqueEmail("waiting");
    await stepOne(partner, waiting);
    const completed = uniqueEmail("completed");
    await stepOne(partner, completed);
    await stepTwo(partner, completed);
    const retried = uniqueEmail("retried");
    await stepOne(partner, retried);
    await getDb()
      .update(pendingRegistrations)
      .set({ state: "expired", lastSentAt: sql`now() - interval '5 minutes'` })
      .where(and(eq(pendingRegistrations.partnerId, partner.id), eq(pendingRegistrations.email, retried)));
    await stepOne(partner, retried);
    await stepTwo(partner, retried);
    // A step 1 for an address that already has an account is not a new registration.
    await stepOne(partner, completed);

    // White label: unconfirmed, confirmed and identified (the last two through the master key).
    const unconfirmed = await whiteLabel(partner);
    const confirmed = await whiteLabel(partner, "email_verified");
    const identified = await whiteLabel(partner, "identified");
    // Staff register one too; without a verification status it is not confirmed.
    await callerFor(staff).registration.create({ ...whiteLabelBody(), partnerId: partner.id, agreed: true });

    const rows = await getDb()
      .select({ id: pendingRegistrations.id })
      .from(pendingRegistrations)
      .where(eq(pendingRegistrations.partnerId, partner.id));
    expect(rows).toHaveLength(5);

    const now = await callerFor(staff).overview.funnel({ partnerId: partner.id });
    expect(now.partnerId).toBe(partner.id);
    expect(now.days).toBe(30);
    expect(now.stages).toEqual([
      { key: "started", label: "Registrations started", count: 7 },
      { key: "confirmed", label: "Email confirmed", count: 4 },
      { key: "identified", label: "KYC identified", count: 1 },
      { key: "subscribed", label: "Subscribed", count: 0 },
    ]);
    expectZeroFilledTrend(now, 30);
    expect(now.trend.at(-1)!.counts).toEqual({ started: 7, confirmed: 4, identified: 1, subscribed: 0 });

    // Spread over time: each registration lands on the day it started; 40 days ago is outside the 30-day window.
    await movePending(partner, waiting, 10);
    await moveClient(unconfirmed.id, 3);
    await moveClient(identified.id, 3);
    await moveClient(confirmed.id, 40);
    const spread = await callerFor(staff).overview.funnel({ partnerId: partner.id });
    expect(counts(spread)).toEqual({ started: 6, confirmed: 3, identified: 1, subscribed: 0 });
    expectZeroFilledTrend(spread, 30);
    const byDay = Object.fromEntries(spread.trend.filter((d) => d.counts.started > 0).map((d) => [d.day, d.counts]));
    expect(byDay).toEqual({
      [utcDay(Date.now() - 10 * DAY_MS)]: { started: 1, confirmed: 0, identified: 0, subscribed: 0 },
      [utcDay(Date.now() - 3 * DAY_MS)]: { started: 2, confirmed: 1, identified: 1, subscribed: 0 },
      [utcDay(Date.now())]: { started: 3, confirmed: 2, identified: 0, subscribed: 0 },
    });

    const quarter = await callerFor(staff).overview.funnel({ partnerId: partner.id, days: 90 });
    expect(counts(quarter)).toEqual({ started: 7, confirmed: 4, identified: 1, subscribed: 0 });
    expectZeroFilledTrend(quarter, 90);

    const week = await callerFor(staff).overview.funnel({ partnerId: partner.id, days: 7 });
    expect(counts(week)).toEqual({ started: 5, confirmed: 3, identified: 1, subscribed: 0 });
    expectZeroFilledTrend(week, 7);
  });

  it("a KAM sees only their own partners: all of them together, each alone, and never another KAM's", async () => {
    const [kam, otherKam] = await Promise.all([createTestStaff("kam"), createTestStaff("kam")]);
    const [own, alsoOwn, foreign] = await Promise.all([createTestPartner(), createTestPartner(), createTestPartner()]);
    await getDb()
      .update(partners)
      .set({ ownerStaffId: kam.id })
      .where(inArray(partners.id, [own.id, alsoOwn.id]));
    await getDb().update(partners).set({ ownerStaffId: otherKam.id }).where(eq(partners.id, foreign.id));
    await whiteLabel(own, "identified");
    await whiteLabel(alsoOwn);
    await whiteLabel(alsoOwn, "email_verified");
    for (let i = 0; i < 3; i++) await whiteLabel(foreign, "identified");

    const all = await callerFor(kam).overview.funnel({});
    expect(all.partnerId).toBeNull();
    expect(counts(all)).toEqual({ started: 3, confirmed: 2, identified: 1, subscribed: 0 });
    expectZeroFilledTrend(all, 30);
    expect(counts(await callerFor(kam).overview.funnel({ partnerId: alsoOwn.id }))).toEqual({
      started: 2,
      confirmed: 1,
      identified: 0,
      subscribed: 0,
    });

    // Another KAM's partner is not found, exactly like one that does not exist.
    await expect(callerFor(kam).overview.funnel({ partnerId: foreign.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(callerFor(kam).overview.funnel({ partnerId: 2_147_483_000 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(counts(await callerFor(otherKam).overview.funnel({}))).toEqual({
      started: 3,
      confirmed: 3,
      identified: 3,
      subscribed: 0,
    });

    // A KAM without partners gets an empty, still zero-filled, funnel.
    const lonely = await callerFor(await createTestStaff("kam")).overview.funnel({});
    expect(counts(lonely)).toEqual({ started: 0, confirmed: 0, identified: 0, subscribed: 0 });
    expectZeroFilledTrend(lonely, 30);

    // Admins see every partner, and a partner that does not exist is not found.
    const admin = await createTestStaff("admin");
    const everything = counts(await callerFor(admin).overview.funnel({}));
    expect(everything.started).toBeGreaterThanOrEqual(6);
    await expect(callerFor(admin).overview.funnel({ partnerId: 2_147_483_000 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("counts a client as subscribed once it has paid for a subscription, and keeps it counted after cancelling", async () => {
    const staff = await createTestStaff("operations");
    const { partner, tierId } = await sandboxPartnerWithTier({ amount: "3.00" });
    const payer = await registerSubscriber(api, partner.id);
    const unpaid = await registerSubscriber(api, partner.id);
    await credit(payer.clientId, "3.00");
    for (const client of [payer, unpaid]) {
      expect(
        (
          await api.post(
            "/reg/subscription",
            { accountId: client.accountId, subscriptionDetailsId: tierId },
            client.auth,
          )
        ).status,
      ).toBe(201);
    }
    const before = await callerFor(staff).overview.funnel({ partnerId: partner.id });
    expect(counts(before)).toEqual({ started: 2, confirmed: 2, identified: 0, subscribed: 0 });

    const [subscription] = (await api.get("/reg/subscription", payer.auth)).body;
    expect((await api.post("/invoice/payment/pay", { invoiceId: subscription.openInvoiceId }, payer.auth)).status).toBe(
      200,
    );
    const after = await callerFor(staff).overview.funnel({ partnerId: partner.id });
    expect(counts(after)).toEqual({ started: 2, confirmed: 2, identified: 0, subscribed: 1 });
    expect(after.trend.at(-1)!.counts.subscribed).toBe(1);

    expect((await api.post(`/reg/subscription/${subscription.id}/cancel`, undefined, payer.auth)).body.status).toBe(
      "DEACTIVATING",
    );
    expect(counts(await callerFor(staff).overview.funnel({ partnerId: partner.id })).subscribed).toBe(1);
  });

  it("reads days before today from the daily rollup, counted the same as live, with today always live", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const [old, older] = [await whiteLabel(partner, "identified"), await whiteLabel(partner, "email_verified")];
    await whiteLabel(partner);
    await moveClient(old.id, 3);
    await moveClient(older.id, 12);
    try {
      await getDb().delete(funnelRollupState).where(eq(funnelRollupState.id, 1));
      const live = await callerFor(staff).overview.funnel({ partnerId: partner.id });
      expect(live.pastDaysAsOf).toBeNull();
      expect(counts(live)).toEqual({ started: 3, confirmed: 2, identified: 1, subscribed: 0 });

      expect(await refreshFunnelRollup()).toMatchObject({ refreshed: true });
      const rolled = await callerFor(staff).overview.funnel({ partnerId: partner.id });
      expect(rolled.pastDaysAsOf).toBeInstanceOf(Date);
      expect(rolled.trend).toEqual(live.trend);
      expect(rolled.stages).toEqual(live.stages);
      // The longest period agrees with live counting too (this partner only: other tests add clients meanwhile).
      const quarter = await callerFor(staff).overview.funnel({ partnerId: partner.id, days: 90 });
      await getDb().delete(funnelRollupState).where(eq(funnelRollupState.id, 1));
      expect((await callerFor(staff).overview.funnel({ partnerId: partner.id, days: 90 })).trend).toEqual(
        quarter.trend,
      );
      await refreshFunnelRollup();

      // Today stays live: a registration now shows at once.
      await whiteLabel(partner, "email_verified");
      expect(counts(await callerFor(staff).overview.funnel({ partnerId: partner.id }))).toEqual({
        started: 4,
        confirmed: 3,
        identified: 1,
        subscribed: 0,
      });
      // A refresh within the interval is skipped (another instance did it moments ago).
      expect(await refreshFunnelRollup({ minAgeMs: 60_000 })).toEqual({ refreshed: false, rows: 0 });
    } finally {
      // Other tests count live: leave no fresh rollup behind.
      await getDb().delete(funnelRollupState).where(eq(funnelRollupState.id, 1));
    }
  });

  it("after a bulk seed through the CLI's command the rollup counts the new clients at once, and the tables are analysed", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const lastAnalysed = async () =>
      (
        await getDb().execute<{ relname: string; at: Date | null }>(sql`
          select relname, greatest(last_analyze, last_autoanalyze) as at from pg_stat_user_tables
          where relname in ('clients', 'accounts') order by relname`)
      ).rows.map((r) => ({ table: r.relname, at: r.at === null ? 0 : new Date(r.at).getTime() }));
    try {
      // A rollup counted just now: without a recount after the load, the days before today would stay as counted here.
      expect(await refreshFunnelRollup()).toMatchObject({ refreshed: true });
      const loadStarted = Date.now();
      const seeded = await seedCommand({ clients: "300", partner: String(partner.id) });
      expect(seeded.lines).toContain("The Overview's funnel was recounted with the new clients.");

      const rolled = await callerFor(staff).overview.funnel({ partnerId: partner.id, days: 90 });
      expect(rolled.pastDaysAsOf!.getTime()).toBeGreaterThanOrEqual(loadStarted);
      expect(rolled.recountEverySeconds).toBe(60);
      // The clients are spread over the last 90 days, nearly all of them before today.
      const beforeToday = rolled.trend.slice(0, -1).reduce((sum, d) => sum + d.counts.started, 0);
      expect(beforeToday).toBeGreaterThan(250);
      // Exactly what counting live says.
      await getDb().delete(funnelRollupState).where(eq(funnelRollupState.id, 1));
      const live = await callerFor(staff).overview.funnel({ partnerId: partner.id, days: 90 });
      expect(live.pastDaysAsOf).toBeNull();
      expect(rolled.trend).toEqual(live.trend);
      expect(rolled.stages).toEqual(live.stages);

      for (const { table, at } of await lastAnalysed())
        expect(at, `${table} analysed`).toBeGreaterThanOrEqual(loadStarted - 1000);
    } finally {
      // Other tests count live: leave no fresh rollup behind.
      await getDb().delete(funnelRollupState).where(eq(funnelRollupState.id, 1));
    }
  });

  it("an import that ends recounts the rollup, so the Overview's counts are dated after it", async () => {
    const staff = await createTestStaff("operations");
    const partner = await createTestPartner();
    const system = systemCaller("test");
    const tag = Math.random().toString(36).slice(2, 10);
    async function* file() {
      yield "email,firstName,lastName,countryCode,birthDate,verificationStatus,verificationLevel,passwordHash\n";
      for (let i = 0; i < 3; i++) yield `overview-${tag}-${i}@example.test,Ada,Byron,LV,1990-04-03,not_verified,0,\n`;
    }
    try {
      expect(await refreshFunnelRollup()).toMatchObject({ refreshed: true });
      const importStarted = Date.now();
      const staged = await stageImport(system, { partnerId: partner.id, fileName: "overview.csv", source: file() });
      expect(staged.ready).toBe(3);
      const claimant = importClaimant("overview-test");
      await startImport(system, { jobId: staged.id, sendEmails: false, sendWebhooks: false }, { claimant });
      expect((await runImportToCompletion(system, { jobId: staged.id, claimant })).imported).toBe(3);

      const funnel = await callerFor(staff).overview.funnel({ partnerId: partner.id });
      expect(funnel.pastDaysAsOf!.getTime()).toBeGreaterThanOrEqual(importStarted);
      expect(counts(funnel).started).toBe(3);
    } finally {
      // Other tests count live: leave no fresh rollup behind.
      await getDb().delete(funnelRollupState).where(eq(funnelRollupState.id, 1));
    }
  });

  it("refuses a period it does not offer, naming the field", async () => {
    const staff = await createTestStaff("admin");
    await expect(callerFor(staff).overview.funnel({ days: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(staff).overview.funnel({ days: 91 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(staff).overview.funnel({ days: 7.5 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
