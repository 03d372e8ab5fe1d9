import { randomUUID } from "node:crypto";
import { eq, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { closeDb, getDb } from "../../db/client";
import { emailOutbox, ledgerEntries, pendingRegistrations } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { enqueueEmail, messageIdFor } from "../../server/mail/outbox";
import { createTestPartner, STRONG_PARTNER_PASSWORD, uniqueEmail } from "../support/api";
import {
  balanceOf,
  credit,
  expectBalancedLedgerAfterEach,
  registerSubscriber,
  sandboxPartnerWithTier,
} from "../support/billing";
import { startAppProcess, type AppProcess } from "../support/app-process";
import { createPrivateDatabase, type PrivateDatabase } from "../support/private-database";
import { headerOf, startSmtpServer, type TestSmtpServer } from "../support/smtp";

/*
 * Two app instances, each a Node process with its own connection pool and its
 * own outbox worker, serve the real route handlers on one PostgreSQL
 * database. Everything that must hold across instances lives in the
 * database, and these tests send each step of a flow to either instance.
 *
 * The instances get a database of their own on the same server: their outbox
 * workers claim every due email, and must not send other files' mail. This
 * process switches to that database too, to set up partners and read rows.
 */

const embedded = inject("databaseIsEmbedded");

let database: PrivateDatabase;
let smtp: TestSmtpServer;
let a: AppProcess;
let b: AppProcess;

describe.skipIf(embedded)(
  "two app instances on one PostgreSQL (skipped on the embedded PGlite, which runs one transaction at a time)",
  () => {
    beforeAll(async () => {
      database = await createPrivateDatabase(inject("databaseUrl"), "instances");
      process.env.DATABASE_URL = database.url;
      resetConfigForTests();
      await closeDb();
      // Each send waits a little, so that one worker is still busy with its batch when the other polls.
      smtp = await startSmtpServer({ acceptDelayMs: 100 });
      const instanceEnv = (name: string) => ({
        DATABASE_URL: database.url,
        DATABASE_POOL_SIZE: "5",
        OUTBOX_WORKER: "on",
        // The EHLO name tells the SMTP server which instance sent a message.
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}/?name=${name}`,
      });
      [a, b] = await Promise.all([
        startAppProcess(instanceEnv("instance-a")),
        startAppProcess(instanceEnv("instance-b")),
      ]);
      expect([a.outboxWorker, b.outboxWorker]).toEqual([true, true]);
      // The first request to a route loads its modules; load them before racing.
      for (const instance of [a, b]) {
        expect((await instance.api.post("/reg/user", {}, { partnerId: "1" })).status).toBeLessThan(500);
        expect((await instance.api.post("/invoice/payment/pay", {})).status).toBe(401);
      }
    });

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await smtp?.stop();
      await closeDb();
      process.env.DATABASE_URL = inject("databaseUrl");
      resetConfigForTests();
      await database?.drop();
    });

    const register = (instance: AppProcess, partnerId: number, email = uniqueEmail("twin")) =>
      instance.api.post("/reg/user", { email, password: STRONG_PARTNER_PASSWORD }, { partnerId: String(partnerId) });

    describe("registration quotas", () => {
      it("refuses the fourth registration from one address on the other instance when three are allowed per hour", async () => {
        const partner = await createTestPartner({ sandbox: true, quotaPerIpHour: 3 });
        const answers = [];
        for (const instance of [a, b, a, b, a]) answers.push(await register(instance, partner.id));
        expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 429, 429]);
        expect(answers[3]!.body.error).toMatchObject({
          code: "quota_exceeded",
          details: { quota: "per_ip_hour", limit: 3 },
        });
        expect(Number(answers[3]!.headers.get("retry-after"))).toBeGreaterThan(0);
      });

      it("admits exactly the partner's hourly total when both instances are raced", async () => {
        const partner = await createTestPartner({ sandbox: true, quotaTotalHour: 4 });
        const answers = await Promise.all(
          Array.from({ length: 12 }, (_, i) => register(i % 2 === 0 ? a : b, partner.id)),
        );
        const statuses = answers.map((r) => r.status).sort();
        expect(statuses).toEqual([...Array(4).fill(202), ...Array(8).fill(429)]);
        for (const refused of answers.filter((r) => r.status === 429)) {
          expect(refused.body.error).toMatchObject({
            code: "quota_exceeded",
            details: { quota: "total_hour", limit: 4 },
          });
        }
        const opened = await getDb()
          .select({ id: pendingRegistrations.id })
          .from(pendingRegistrations)
          .where(eq(pendingRegistrations.partnerId, partner.id));
        expect(opened).toHaveLength(4);
      });
    });

    describe("confirmation code attempts", () => {
      async function pendingRegistration() {
        const partner = await createTestPartner({ sandbox: true });
        const email = uniqueEmail("twin-code");
        expect((await register(a, partner.id, email)).status).toBe(202);
        const attempt = (instance: AppProcess, code: string) =>
          instance.api.post(
            "/reg/user",
            { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: code },
            { partnerId: String(partner.id) },
          );
        const row = async () => {
          const [p] = await getDb()
            .select({ state: pendingRegistrations.state, attempts: pendingRegistrations.attempts })
            .from(pendingRegistrations)
            .where(eq(pendingRegistrations.partnerId, partner.id));
          return p;
        };
        return { attempt, row };
      }

      it("locks after five wrong codes in total, spread over both instances", async () => {
        const { attempt, row } = await pendingRegistration();
        const answers = [];
        for (const instance of [b, a, b, a, b]) answers.push(await attempt(instance, "54321"));
        expect(answers.map((r) => r.status)).toEqual([400, 400, 400, 400, 423]);
        expect(answers.slice(0, 4).map((r) => r.body.error.details.attemptsRemaining)).toEqual([4, 3, 2, 1]);
        expect(answers[4]!.body.error.code).toBe("confirmation_locked");
        // The right code no longer helps, on either instance.
        expect((await attempt(a, "12345")).status).toBe(423);
        expect((await attempt(b, "12345")).status).toBe(423);
        expect(await row()).toEqual({ state: "locked", attempts: 5 });
      });

      it("counts every one of many wrong codes raced over both instances", async () => {
        const { attempt, row } = await pendingRegistration();
        const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i % 2 === 0 ? a : b, "54321")));
        const invalid = answers.filter((r) => r.status === 400);
        expect(invalid.map((r) => r.body.error.details.attemptsRemaining).sort()).toEqual([1, 2, 3, 4]);
        expect(answers.filter((r) => r.status === 423)).toHaveLength(6);
        expect((await attempt(b, "12345")).status).toBe(423);
        expect(await row()).toEqual({ state: "locked", attempts: 5 });
      });
    });

    describe("idempotency keys", () => {
      expectBalancedLedgerAfterEach();

      it("debits once when one Idempotency-Key is sent to both instances at once, and both answer with the same payment", async () => {
        const { partner, tierId } = await sandboxPartnerWithTier({ amount: "7.00" });
        const client = await registerSubscriber(a.api, partner.id);
        await credit(client.clientId, "100.00");
        const started = await b.api.post(
          "/reg/subscription",
          { accountId: client.accountId, subscriptionDetailsId: tierId },
          client.auth,
        );
        expect(started.status).toBe(201);
        const invoiceId = started.body.id as string;

        const key = randomUUID();
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? a : b).api.post(
              "/invoice/payment/pay",
              { invoiceId },
              { ...client.auth, "idempotency-key": key },
            ),
          ),
        );
        expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
        const firsts = answers.filter((r) => r.headers.get("idempotent-replayed") !== "true");
        expect(firsts).toHaveLength(1);
        expect(firsts[0]!.body).toMatchObject({ alreadyPaid: false, balance: "93.00" });
        for (const answer of answers) expect(answer.body).toEqual(firsts[0]!.body);

        const debits = await getDb()
          .select({ amount: ledgerEntries.amountMinor })
          .from(ledgerEntries)
          .where(sql`${ledgerEntries.accountId} = ${client.accountId} and ${ledgerEntries.amountMinor} < 0`);
        expect(debits).toEqual([{ amount: -700n }]);
        expect(await balanceOf(b.api, client)).toBe("93.00");
      });
    });

    describe("the outbox", () => {
      it("sends each email exactly once with both instances' workers delivering at once", async () => {
        const domain = `twin-${randomUUID().slice(0, 8)}.example.test`;
        const addresses = Array.from({ length: 60 }, (_, i) => `client-${i}@${domain}`);
        const ids = await getDb().transaction(async (tx) => {
          const out: string[] = [];
          for (const to of addresses)
            out.push(await enqueueEmail(tx, { template: "account_exists", to, data: { partnerName: "Twin" } }));
          return out;
        });

        const rows = () =>
          getDb()
            .select()
            .from(emailOutbox)
            .where(like(emailOutbox.toAddress, `%@${domain}`));
        await vi.waitFor(async () => expect((await rows()).filter((r) => r.status !== "sent")).toEqual([]), {
          timeout: 45_000,
          interval: 200,
        });

        const mine = smtp.received.filter((m) => m.to.some((to) => to.endsWith(`@${domain}`)));
        expect(mine.map((m) => m.to[0]).sort()).toEqual([...addresses].sort());
        const sent = await rows();
        expect(sent.map((r) => r.id).sort()).toEqual([...ids].sort());
        for (const row of sent) {
          expect(row.messageId).toBe(messageIdFor(row.id));
          expect(headerOf(mine.find((m) => m.to[0] === row.toAddress)!.raw, "Message-ID")).toBe(row.messageId);
        }
        // A batch of 20 takes over 2 s at this server's pace and each worker polls every second, so both took part.
        expect(new Set(mine.map((m) => m.clientName))).toEqual(new Set(["instance-a", "instance-b"]));
      });
    });
  },
);
