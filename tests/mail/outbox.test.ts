import { randomUUID } from "node:crypto";
import { and, eq, inArray, like, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { backoffMs, deliverDueEmails, enqueueEmail, MAX_ATTEMPTS, retryEmail } from "../../server/mail/outbox";
import type { MailMessage, MailTransport } from "../../server/mail/transport";
import { ensureOutboxWorker, startOutboxWorker } from "../../server/mail/worker";

/*
 * The database is shared with other test files and never wiped, and
 * deliverDueEmails claims every due row. So each test addresses its mail to a
 * domain of its own, and its fake transport refuses (bounces back to the
 * queue) any message not addressed there rather than marking it sent.
 */

function testDomain(): string {
  return `outbox-${randomUUID().slice(0, 8)}.mail.test`;
}

interface FakeTransport extends MailTransport {
  /** Messages this fake delivered, in order. */
  delivered: MailMessage[];
  /** Messages to this test's domain it was asked to send, delivered or not. */
  attempted: MailMessage[];
}

function fakeTransport(
  domain: string,
  send: (m: MailMessage) => Promise<{ messageId?: string }> = async () => ({ messageId: `<${randomUUID()}@fake>` }),
): FakeTransport {
  const fake: FakeTransport = {
    delivered: [],
    attempted: [],
    async sendMail(m) {
      if (!m.to.endsWith(`@${domain}`)) throw new Error("not addressed to this test");
      fake.attempted.push(m);
      const info = await send(m);
      fake.delivered.push(m);
      return info;
    },
  };
  return fake;
}

/** A transport whose send to this test's domain hangs until released. */
function gatedTransport(domain: string, messageId: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markSending!: () => void;
  const sending = new Promise<void>((resolve) => (markSending = resolve));
  const transport = fakeTransport(domain, async () => {
    markSending();
    await released;
    return { messageId };
  });
  return { transport, sending, release };
}

/** Starts deliveries until one hangs sending this test's row; returns that delivery. */
async function startDeliveringUntilSending(
  domain: string,
  gated: ReturnType<typeof gatedTransport>,
): Promise<{ finished: Promise<unknown> }> {
  let run: Promise<unknown> = Promise.resolve();
  await repeatUntil(
    () => gated.transport.attempted.length > 0,
    async () => {
      await makeDue(domain);
      run = deliverDueEmails({ transport: gated.transport });
      await Promise.race([run, gated.sending]);
    },
  );
  // Wrapped: an async function returning the bare promise would wait for it.
  return { finished: run };
}

async function enqueueFor(to: string): Promise<string> {
  return enqueueEmail(getDb(), {
    template: "registration_code",
    to,
    data: { partnerName: "Outbox Test", code: "246810", expiresInMinutes: 10 },
  });
}

// Back-dating puts this test's rows at the head of the due queue and makes
// rows another test bounced due again.
async function makeDue(domain: string): Promise<void> {
  await getDb()
    .update(emailOutbox)
    .set({ nextAttemptAt: new Date("2000-01-01T00:00:00Z") })
    .where(and(like(emailOutbox.toAddress, `%@${domain}`), eq(emailOutbox.status, "queued")));
}

async function deliverAfterMakingDue(domain: string, transport: MailTransport): Promise<void> {
  await makeDue(domain);
  await deliverDueEmails({ transport });
}

/**
 * Repeats a step until a condition holds. Bounded by time, not by rounds:
 * another file's worker may hold this test's row for a moment.
 */
async function repeatUntil(done: () => boolean, step: () => Promise<unknown>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await step();
  }
}

async function readRow(id: string) {
  const [row] = await getDb().select().from(emailOutbox).where(eq(emailOutbox.id, id));
  if (!row) throw new Error(`outbox row ${id} not found`);
  return row;
}

class Rollback extends Error {}

describe("backoffMs", () => {
  it("doubles from 15 seconds and stops at an hour", () => {
    const middle = () => 0.5;
    expect(backoffMs(1, middle)).toBe(15_000);
    expect(backoffMs(2, middle)).toBe(30_000);
    expect(backoffMs(3, middle)).toBe(60_000);
    expect(backoffMs(8, middle)).toBe(1_920_000);
    expect(backoffMs(9, middle)).toBe(3_600_000);
    expect(backoffMs(40, middle)).toBe(3_600_000);
  });

  it("jitters by at most 20% and never beyond the hour", () => {
    expect(backoffMs(1, () => 0)).toBe(12_000);
    expect(backoffMs(1, () => 1)).toBe(18_000);
    expect(backoffMs(12, () => 0)).toBe(2_880_000);
    expect(backoffMs(12, () => 1)).toBe(3_600_000);
  });
});

describe("enqueueEmail", () => {
  it("writes nothing when the caller's transaction rolls back", async () => {
    const to = `rollback@${testDomain()}`;
    let id: string | undefined;
    await expect(
      getDb().transaction(async (tx) => {
        id = await enqueueEmail(tx, { template: "account_exists", to, data: { partnerName: "Acme" } });
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(id).toBeDefined();
    const rows = await getDb().select({ id: emailOutbox.id }).from(emailOutbox).where(eq(emailOutbox.toAddress, to));
    expect(rows).toEqual([]);
  });

  it("queues the rendered email when the transaction commits", async () => {
    const to = `commit@${testDomain()}`;
    const clientId = randomUUID();
    const id = await getDb().transaction((tx) =>
      enqueueEmail(tx, {
        template: "registration_code",
        to,
        data: { partnerName: "Acme", code: "135790", expiresInMinutes: 10 },
        clientId,
      }),
    );
    // Status is not asserted: the row is due at once, and another file's worker may already hold it.
    const row = await readRow(id);
    expect(row).toMatchObject({
      toAddress: to,
      template: "registration_code",
      clientId,
      partnerId: null,
      sentAt: null,
    });
    expect(row.subject).toBe("Your Acme confirmation code");
    expect(row.textBody).toContain("135790");
    expect(row.htmlBody).toContain("135790");
  });
});

describe("deliverDueEmails", () => {
  it("retries a failing message with growing delays and delivers it exactly once", async () => {
    const domain = testDomain();
    const to = `retry@${domain}`;
    const id = await enqueueFor(to);
    const failures = 3;
    const fake = fakeTransport(domain, async () => {
      if (fake.attempted.length <= failures) throw new Error(`SMTP 451 temporary failure #${fake.attempted.length}`);
      return { messageId: "<retry@fake>" };
    });

    const delays: number[] = [];
    while (delays.length < failures) {
      const before = fake.attempted.length;
      let now = new Date();
      await repeatUntil(
        () => fake.attempted.length > before,
        async () => {
          await makeDue(domain);
          now = new Date();
          await deliverDueEmails({ transport: fake, now });
        },
      );
      const row = await readRow(id);
      expect(row.status).toBe("queued");
      expect(row.lastError).toBe(`SMTP 451 temporary failure #${fake.attempted.length}`);
      expect(row.claimedUntil).toBeNull();
      // Counted from the row: another file's worker may have claimed it in between.
      const base = 15_000 * 2 ** (row.attempts - 1);
      const delay = row.nextAttemptAt.getTime() - now.getTime();
      expect(delay).toBeGreaterThanOrEqual(base * 0.8);
      expect(delay).toBeLessThanOrEqual(base * 1.2);
      delays.push(delay);
    }
    expect(delays[1]!).toBeGreaterThan(delays[0]!);
    expect(delays[2]!).toBeGreaterThan(delays[1]!);

    await repeatUntil(
      () => fake.delivered.length > 0,
      () => deliverAfterMakingDue(domain, fake),
    );
    await deliverAfterMakingDue(domain, fake);

    expect(fake.delivered.map((m) => m.to)).toEqual([to]);
    expect(fake.attempted).toHaveLength(failures + 1);
    const row = await readRow(id);
    expect(row.status).toBe("sent");
    expect(row.messageId).toBe("<retry@fake>");
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.claimedUntil).toBeNull();
    expect(row.attempts).toBeGreaterThanOrEqual(failures + 1);
  });

  it("marks a message failed after the last attempt, and retryEmail queues it again", async () => {
    const domain = testDomain();
    const id = await enqueueFor(`give-up@${domain}`);
    const lastChance = () =>
      getDb()
        .update(emailOutbox)
        .set({ status: "queued", attempts: MAX_ATTEMPTS - 1 })
        .where(eq(emailOutbox.id, id));
    await lastChance();
    const down = fakeTransport(domain, async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:25");
    });
    await repeatUntil(
      () => down.attempted.length > 0,
      async () => {
        // Another file's worker may have spent the last attempt; give it back.
        if ((await readRow(id)).status === "failed") await lastChance();
        await deliverAfterMakingDue(domain, down);
      },
    );
    const row = await readRow(id);
    expect(row).toMatchObject({
      status: "failed",
      attempts: MAX_ATTEMPTS,
      lastError: "connect ECONNREFUSED 127.0.0.1:25",
      claimedUntil: null,
    });

    const up = fakeTransport(domain);
    await getDb()
      .update(emailOutbox)
      .set({ nextAttemptAt: new Date("2000-01-01T00:00:00Z") })
      .where(eq(emailOutbox.id, id));
    await deliverDueEmails({ transport: up });
    expect(up.attempted).toEqual([]);
    expect((await readRow(id)).status).toBe("failed");

    // Read inside the transaction: once committed, the due row may be claimed at once by another file's worker.
    const retried = await getDb().transaction(async (tx) => {
      expect(await retryEmail(id, tx)).toBe(true);
      const [r] = await tx.select().from(emailOutbox).where(eq(emailOutbox.id, id));
      return r;
    });
    expect(retried?.status).toBe("queued");
    expect(retried?.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    await repeatUntil(
      () => up.delivered.length > 0,
      async () => {
        // A retry buys one attempt; if another file's worker spent it, retry again.
        if ((await readRow(id)).status === "failed") await retryEmail(id);
        await deliverAfterMakingDue(domain, up);
      },
    );
    expect((await readRow(id)).status).toBe("sent");
    expect(await retryEmail(id)).toBe(false);
  });

  it("truncates a long transport error to 500 characters", async () => {
    const domain = testDomain();
    const id = await enqueueFor(`long-error@${domain}`);
    const fake = fakeTransport(domain, async () => {
      throw new Error("x".repeat(2000));
    });
    await repeatUntil(
      () => fake.attempted.length > 0,
      () => deliverAfterMakingDue(domain, fake),
    );
    expect((await readRow(id)).lastError).toBe("x".repeat(500));
  });

  it("never sends one message twice when two workers deliver at once", async () => {
    const domain = testDomain();
    const addresses = Array.from({ length: 30 }, (_, i) => `concurrent-${i}@${domain}`);
    const ids = await getDb().transaction(async (tx) => {
      const out: string[] = [];
      for (const to of addresses) {
        out.push(await enqueueEmail(tx, { template: "account_exists", to, data: { partnerName: "Acme" } }));
      }
      return out;
    });
    await makeDue(domain);

    // A little latency per send lets the two workers' claims interleave.
    const slowSend = (name: string) => async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { messageId: `<${name}-${randomUUID()}@fake>` };
    };
    const workerA = fakeTransport(domain, slowSend("a"));
    const workerB = fakeTransport(domain, slowSend("b"));
    const allDelivered = () => workerA.delivered.length + workerB.delivered.length >= addresses.length;

    const run = (transport: MailTransport) =>
      repeatUntil(allDelivered, async () => {
        const { sent, failed } = await deliverDueEmails({ transport, limit: 4 });
        if (sent + failed === 0) await makeDue(domain);
      });
    await Promise.all([run(workerA), run(workerB)]);

    const sentTo = [...workerA.delivered, ...workerB.delivered].map((m) => m.to);
    expect(sentTo).toHaveLength(addresses.length);
    expect(new Set(sentTo)).toEqual(new Set(addresses));
    expect(workerA.delivered.length).toBeGreaterThan(0);
    expect(workerB.delivered.length).toBeGreaterThan(0);

    const rows = await getDb()
      .select({ to: emailOutbox.toAddress, status: emailOutbox.status, messageId: emailOutbox.messageId })
      .from(emailOutbox)
      .where(inArray(emailOutbox.id, ids));
    expect(rows).toHaveLength(addresses.length);
    for (const row of rows) {
      expect(row.status).toBe("sent");
      const sender = workerA.delivered.some((m) => m.to === row.to) ? "a" : "b";
      expect(row.messageId).toMatch(new RegExp(`^<${sender}-`));
    }
  });

  it("lets only the current claimant mark a message sent after a claim lapses", async () => {
    const domain = testDomain();
    const id = await enqueueFor(`lapsed@${domain}`);
    const first = gatedTransport(domain, "<first@fake>");
    const second = gatedTransport(domain, "<second@fake>");

    const firstRun = await startDeliveringUntilSending(domain, first);
    // The first worker hangs mid-send; its claim lapses and a second worker takes the row over.
    await getDb()
      .update(emailOutbox)
      .set({ claimedUntil: sql`now() - interval '1 second'` })
      .where(and(eq(emailOutbox.id, id), eq(emailOutbox.status, "sending")));
    const secondRun = await startDeliveringUntilSending(domain, second);
    const takenOver = await readRow(id);
    expect(takenOver.status).toBe("sending");

    // The first send completes late: it must not mark the row the second worker holds.
    first.release();
    await firstRun.finished;
    let row = await readRow(id);
    expect(row).toMatchObject({ status: "sending", attempts: takenOver.attempts, messageId: null, sentAt: null });

    second.release();
    await secondRun.finished;
    row = await readRow(id);
    expect(row.status).toBe("sent");
    expect(row.messageId).toBe("<second@fake>");
    expect(row.claimedUntil).toBeNull();
  });
});

describe("outbox worker", () => {
  it("delivers queued mail in the background until stopped", async () => {
    const domain = testDomain();
    const fake = fakeTransport(domain);
    const worker = startOutboxWorker({ intervalMs: 20, transport: fake });
    try {
      const id = await enqueueFor(`worker@${domain}`);
      worker.wake();
      await vi.waitFor(
        async () => {
          await makeDue(domain);
          expect((await readRow(id)).status).toBe("sent");
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(fake.delivered.map((m) => m.to)).toEqual([`worker@${domain}`]);
    } finally {
      await worker.stop();
    }
  });

  it("keeps polling when sends throw", async () => {
    const domain = testDomain();
    const broken: MailTransport = {
      sendMail() {
        throw new Error("transport exploded");
      },
    };
    const id = await enqueueFor(`broken@${domain}`);
    const worker = startOutboxWorker({ intervalMs: 20, transport: broken });
    try {
      await vi.waitFor(
        async () => {
          await makeDue(domain);
          const row = await readRow(id);
          expect(row.lastError).toBe("transport exploded");
          expect(row.attempts).toBeGreaterThanOrEqual(2);
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      await worker.stop();
    }
  });

  it("does not start without a transport or when switched off", async () => {
    const idle = startOutboxWorker({ transport: undefined });
    idle.wake();
    await idle.stop();
    // The test environment sets OUTBOX_WORKER=off and no SMTP_URL.
    expect(ensureOutboxWorker()).toBeUndefined();
  });
});
