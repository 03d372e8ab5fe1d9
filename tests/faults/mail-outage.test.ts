import { randomUUID } from "node:crypto";
import { and, eq, like, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { messageIdFor } from "../../server/mail/outbox";
import type { MailTransport } from "../../server/mail/transport";
import type { Job } from "../../server/jobs/runner";
import { startOutboxWorker } from "../../server/mail/worker";
import { createTestPartner, STRONG_PARTNER_PASSWORD, useApi } from "../support/api";
import { headerOf, smtpTransport, startSmtpServer, type SmtpMode, type TestSmtpServer } from "../support/smtp";

/*
 * The mail server goes away while registrations keep queueing codes. The real
 * outbox worker runs in this process against a real SMTP server that is first
 * gone (connection refused), then answering 451, then healthy. The worker's
 * backoff is 15 s and more, so instead of waiting the test moves each row's
 * next attempt into the past (the database clock is not simulated), after
 * checking that the worker did schedule it later.
 *
 * The database is shared with other files and their workers: this file's
 * transport sends only mail to its own domain and bounces the rest back to the
 * queue, and row attempts are compared with ">=" since another file's worker
 * may bounce one of these rows too.
 */

const api = useApi();

interface Attempt {
  to: string;
  error?: string;
  /** When the try ended (Date.now()). */
  at: number;
}

/** The SMTP transport, passing on only this test's mail and recording each try. */
function trackedTransport(domain: string, port: number) {
  const inner = smtpTransport(port);
  const attempts: Attempt[] = [];
  const transport: MailTransport = {
    async sendMail(m) {
      if (!m.to.endsWith(`@${domain}`)) throw new Error("not addressed to this test");
      try {
        const info = await inner.sendMail(m);
        attempts.push({ to: m.to, at: Date.now() });
        return info;
      } catch (error) {
        attempts.push({ to: m.to, error: (error as Error).message, at: Date.now() });
        throw error;
      }
    },
  };
  return { transport, attempts };
}

async function rowsFor(domain: string) {
  return getDb()
    .select()
    .from(emailOutbox)
    .where(like(emailOutbox.toAddress, `%@${domain}`))
    .orderBy(emailOutbox.toAddress);
}

/** As if the backoff had elapsed: this test's queued rows become due now. */
async function backoffElapses(domain: string): Promise<void> {
  await getDb()
    .update(emailOutbox)
    .set({ nextAttemptAt: sql`now() - interval '1 second'` })
    .where(and(like(emailOutbox.toAddress, `%@${domain}`), eq(emailOutbox.status, "queued")));
}

/** Lets the backoff elapse until `done` holds: the worker then tries again. */
async function retryUntil(domain: string, worker: Job, done: () => boolean | Promise<boolean>): Promise<void> {
  await vi.waitFor(
    async () => {
      if (await done()) return;
      await backoffElapses(domain);
      worker.wake();
      throw new Error("not yet");
    },
    { timeout: 20_000, interval: 100 },
  );
}

/**
 * Asserts every row is back in the queue after its last failed try, its next
 * try scheduled no sooner than the shortest backoff (12 s) after that one.
 */
async function expectBackedOff(domain: string, attempts: Attempt[], count: number, error: RegExp): Promise<void> {
  // Polled: the worker records the failure on the row just after the transport reports it.
  await vi.waitFor(
    async () => {
      const rows = await rowsFor(domain);
      expect(rows).toHaveLength(count);
      for (const row of rows) {
        expect(row.status).toBe("queued");
        expect(row.claimedUntil).toBeNull();
        expect(row.lastError).toMatch(error);
        const failedAt = attempts.filter((a) => a.to === row.toAddress).at(-1)!.at;
        expect(row.nextAttemptAt.getTime() - failedAt).toBeGreaterThan(10_000);
      }
    },
    { timeout: 10_000, interval: 50 },
  );
}

function triedWith(attempts: Attempt[], to: string, error: RegExp): boolean {
  return attempts.some((a) => a.to === to && a.error !== undefined && error.test(a.error));
}

function codeInRaw(raw: string): string {
  const match = /^ {4}(\d{6})\s*$/m.exec(raw.replace(/=\r?\n/g, ""));
  if (!match) throw new Error(`no 6-digit code in message:\n${raw}`);
  return match[1]!;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function smtpAt(port: number, mode: SmtpMode): Promise<TestSmtpServer> {
  const server = await startSmtpServer({ port, mode });
  cleanup.push(() => server.stop());
  return server;
}

describe("the mail server is down for a while", () => {
  it("delivers every queued code exactly once after the server comes back, refused and then answering 451 meanwhile", async () => {
    const partner = await createTestPartner({ sandbox: false });
    const domain = `outage-${randomUUID().slice(0, 8)}.example.test`;
    const recipients = Array.from({ length: 5 }, (_, i) => `client-${i}@${domain}`);

    // A free port, then nothing listening on it: connections are refused.
    const probe = await startSmtpServer();
    const port = probe.port;
    await probe.stop();
    const { transport, attempts } = trackedTransport(domain, port);
    const worker = startOutboxWorker({ intervalMs: 50, transport });
    cleanup.push(() => worker.stop());

    for (const email of recipients) {
      const started = await api.post(
        "/reg/user",
        { email, password: STRONG_PARTNER_PASSWORD },
        { partnerId: String(partner.id) },
      );
      expect(started.status, JSON.stringify(started.body)).toBe(202);
    }
    worker.wake();
    const refused = /ECONNREFUSED/;
    await vi.waitFor(() => expect(recipients.filter((to) => !triedWith(attempts, to, refused))).toEqual([]), {
      timeout: 20_000,
      interval: 50,
    });
    await expectBackedOff(domain, attempts, recipients.length, refused);
    // Down across a second backoff too.
    const triesBefore = attempts.length;
    await retryUntil(domain, worker, () =>
      recipients.every((to) => attempts.slice(triesBefore).some((a) => a.to === to)),
    );
    await expectBackedOff(domain, attempts, recipients.length, refused);

    // The server is back but answers 451 (overloaded, greylisting).
    // The server's own reply, not just "451": a refused connection's message names the port, which may contain 451.
    const tempfail = /\b451 Try again later/;
    const smtp = await smtpAt(port, "tempfail");
    await retryUntil(domain, worker, () => recipients.every((to) => triedWith(attempts, to, tempfail)));
    await expectBackedOff(domain, attempts, recipients.length, tempfail);
    expect(smtp.received).toEqual([]);

    smtp.mode = "accept";
    await retryUntil(domain, worker, async () => (await rowsFor(domain)).every((r) => r.status === "sent"));
    // More rounds find nothing left to send for this domain.
    await backoffElapses(domain);
    worker.wake();
    await worker.stop();

    const arrivals = recipients.map((to) => smtp.received.filter((m) => m.to.includes(to)));
    expect(arrivals.map((copies) => copies.length)).toEqual(recipients.map(() => 1));
    expect(smtp.received).toHaveLength(recipients.length);
    for (const row of await rowsFor(domain)) {
      const copy = smtp.received.find((m) => m.to.includes(row.toAddress))!;
      expect(row).toMatchObject({ status: "sent", claimedUntil: null, messageId: messageIdFor(row.id) });
      expect(headerOf(copy.raw, "Message-ID")).toBe(row.messageId);
      expect(row.sentAt).toBeInstanceOf(Date);
      // At least: refused twice, 451 once, then sent; each try is counted on the row.
      const mine = attempts.filter((a) => a.to === row.toAddress);
      expect(mine.length).toBeGreaterThanOrEqual(4);
      expect(mine.filter((a) => a.error === undefined)).toHaveLength(1);
      expect(row.attempts).toBeGreaterThanOrEqual(mine.length);
    }

    // The delayed code still completes the registration.
    const [email] = recipients;
    const code = codeInRaw(arrivals[0]![0]!.raw);
    const finished = await api.post(
      "/reg/user",
      { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: code },
      { partnerId: String(partner.id) },
    );
    expect(finished.status, JSON.stringify(finished.body)).toBe(201);
  });

  it("sends a message again under the same Message-ID when the connection drops after the server took it", async () => {
    const partner = await createTestPartner({ sandbox: false });
    const domain = `outage-${randomUUID().slice(0, 8)}.example.test`;
    const email = `dropped@${domain}`;
    const smtp = await startSmtpServer({ mode: "drop-after-data" });
    cleanup.push(() => smtp.stop());
    const { transport, attempts } = trackedTransport(domain, smtp.port);
    const worker = startOutboxWorker({ intervalMs: 50, transport });
    cleanup.push(() => worker.stop());

    const started = await api.post(
      "/reg/user",
      { email, password: STRONG_PARTNER_PASSWORD },
      { partnerId: String(partner.id) },
    );
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    worker.wake();
    // The server has the message, but the sender saw the connection close and cannot know that.
    await vi.waitFor(() => expect(attempts.filter((a) => a.error !== undefined)).toHaveLength(1), {
      timeout: 20_000,
      interval: 50,
    });
    expect(smtp.received).toHaveLength(1);
    await vi.waitFor(
      async () =>
        expect(await rowsFor(domain)).toMatchObject([
          { status: "queued", messageId: null, sentAt: null, lastError: expect.any(String) },
        ]),
      { timeout: 10_000 },
    );

    smtp.mode = "accept";
    await retryUntil(domain, worker, async () => (await rowsFor(domain)).every((r) => r.status === "sent"));
    await worker.stop();

    // Delivery is at least once: the receiver got two copies of one email, which its Message-ID shows.
    const [row] = await rowsFor(domain);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received.map((m) => headerOf(m.raw, "Message-ID"))).toEqual([
      messageIdFor(row!.id),
      messageIdFor(row!.id),
    ]);
    expect(row).toMatchObject({ status: "sent", messageId: messageIdFor(row!.id) });
    expect(codeInRaw(smtp.received[1]!.raw)).toBe(codeInRaw(smtp.received[0]!.raw));
  });
});

describe("messageIdFor", () => {
  it("names the row and the sender's domain", () => {
    const id = randomUUID();
    expect(messageIdFor(id, "Gatehouse <no-reply@mail.example.com>")).toBe(`<${id}@mail.example.com>`);
    expect(messageIdFor(id, "no-reply@example.org")).toBe(`<${id}@example.org>`);
    expect(messageIdFor(id, "Gatehouse")).toBe(`<${id}@gatehouse.invalid>`);
  });
});
