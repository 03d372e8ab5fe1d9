import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, emailOutbox } from "../../db/schema";
import { deliverDueEmails, enqueueEmail, MAX_ATTEMPTS } from "../../server/mail/outbox";
import type { OutboxViewStatus } from "../../server/mail/schemas";
import { createTestPartner } from "../support/api";
import { onlyTo, smtpTransport, startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { callerFor, createTestStaff } from "../support/staff";

/*
 * The database is shared with other test files, whose delivery runs claim
 * every due row and bounce mail that is not theirs back to the queue. So each
 * test mails a domain of its own, parks the rows it only looks at out of the
 * workers' reach (not due, or in a state no worker claims), and its own
 * deliveries pass on only its own mail.
 */

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

const testDomain = () => `outbox-admin-${randomUUID().slice(0, 8)}.mail.test`;
const farFuture = new Date("2099-01-01T00:00:00Z");

/**
 * Queues an email already in the given state: set in the transaction that
 * queues it, so no delivery run sees the row in between.
 */
async function emailIn(
  to: string,
  state: Partial<typeof emailOutbox.$inferInsert>,
  partnerId: number | null = null,
): Promise<string> {
  return getDb().transaction(async (tx) => {
    const id = await enqueueEmail(tx, {
      template: "registration_code",
      to,
      data: { partnerName: "Outbox Admin Test", code: "482915", expiresInMinutes: 10 },
      partnerId,
    });
    await tx.update(emailOutbox).set(state).where(eq(emailOutbox.id, id));
    return id;
  });
}

async function readRow(id: string) {
  const [row] = await getDb().select().from(emailOutbox).where(eq(emailOutbox.id, id));
  if (!row) throw new Error(`outbox row ${id} not found`);
  return row;
}

async function trpcFailure(call: () => Promise<unknown>): Promise<TRPCError> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error("expected the procedure to fail");
}

async function retryEvents(id: string) {
  return getDb()
    .select({
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      partnerId: auditEvents.partnerId,
      before: auditEvents.before,
      after: auditEvents.after,
      ip: auditEvents.ip,
    })
    .from(auditEvents)
    .where(
      and(eq(auditEvents.action, "outbox.retry"), eq(auditEvents.entityType, "email"), eq(auditEvents.entityId, id)),
    )
    .orderBy(asc(auditEvents.id));
}

let operations: TestStaff;
let smtp: TestSmtpServer;
beforeAll(async () => {
  operations = await createTestStaff("operations");
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.stop();
});

describe("the outbox list", () => {
  it("lists emails by state and recipient, newest first, without their bodies", async () => {
    const to = `list@${testDomain()}`;
    const partner = await createTestPartner();
    const ids: Record<OutboxViewStatus, string> = {
      queued: await emailIn(to, { nextAttemptAt: farFuture }, partner.id),
      failing: await emailIn(to, { attempts: 2, lastError: "SMTP 451 try later", nextAttemptAt: farFuture }),
      failed: await emailIn(to, {
        status: "failed",
        attempts: MAX_ATTEMPTS,
        lastError: "connect ECONNREFUSED 127.0.0.1:25",
      }),
      sending: await emailIn(to, { status: "sending", attempts: 1, claimedUntil: farFuture }),
      sent: await emailIn(to, { status: "sent", attempts: 1, sentAt: new Date(), messageId: "<sent@fake>" }),
    };

    const all = await callerFor(operations).outbox.list({ to });
    expect(all.items.map((m) => [m.id, m.status])).toEqual([
      [ids.sent, "sent"],
      [ids.sending, "sending"],
      [ids.failed, "failed"],
      [ids.failing, "failing"],
      [ids.queued, "queued"],
    ]);
    expect(all.nextCursor).toBeNull();
    const queued = all.items.at(-1)!;
    expect(queued).toEqual({
      id: ids.queued,
      template: "registration_code",
      to,
      subject: "Your Outbox Admin Test confirmation code",
      partnerId: partner.id,
      partnerName: partner.name,
      clientId: null,
      status: "queued",
      attempts: 0,
      lastError: null,
      nextAttemptAt: farFuture,
      sentAt: null,
      createdAt: expect.any(Date),
    });
    expect(JSON.stringify(all)).not.toContain("482915");

    for (const status of Object.keys(ids) as OutboxViewStatus[]) {
      const page = await callerFor(operations).outbox.list({ to, status });
      expect(
        page.items.map((m) => m.id),
        status,
      ).toEqual([ids[status]]);
    }
    // Any case finds the address; the list pages with a cursor.
    const first = await callerFor(operations).outbox.list({ to: to.toUpperCase(), limit: 3 });
    expect(first.items).toHaveLength(3);
    const rest = await callerFor(operations).outbox.list({ to, limit: 3, cursor: first.nextCursor });
    expect([...first.items, ...rest.items].map((m) => m.id)).toEqual(all.items.map((m) => m.id));
    expect(rest.nextCursor).toBeNull();

    expect((await trpcFailure(() => callerFor(operations).outbox.list({ to: "list@" }))).code).toBe("BAD_REQUEST");
    expect((await trpcFailure(() => callerFor(operations).outbox.list({ cursor: "bm9wZQ" }))).code).toBe("BAD_REQUEST");
  });

  it("shows one message as rendered, text and HTML", async () => {
    const to = `read@${testDomain()}`;
    const id = await emailIn(to, { nextAttemptAt: farFuture });
    const message = await callerFor(operations).outbox.get({ id });
    expect(message).toMatchObject({
      id,
      to,
      template: "registration_code",
      subject: "Your Outbox Admin Test confirmation code",
      status: "queued",
      messageId: null,
    });
    expect(message.text).toContain("482915");
    expect(message.html).toContain("482915");
    expect(message.html).toMatch(/^<!doctype html>/i);

    expect((await trpcFailure(() => callerFor(operations).outbox.get({ id: randomUUID() }))).code).toBe("NOT_FOUND");
    expect((await trpcFailure(() => callerFor(operations).outbox.get({ id: "not-a-uuid" }))).code).toBe("BAD_REQUEST");
  });
});

describe("retrying an email", () => {
  it("resets a failed email for the worker, audits it, and the email is delivered exactly once though two staff retry it at once", async () => {
    const domain = testDomain();
    const to = `retry@${domain}`;
    const partner = await createTestPartner();
    const id = await emailIn(
      to,
      { status: "failed", attempts: MAX_ATTEMPTS, lastError: "connect ECONNREFUSED 127.0.0.1:25" },
      partner.id,
    );
    const admin = await createTestStaff("admin");

    const retries = await Promise.allSettled([
      callerFor(operations).outbox.retry({ id }),
      callerFor(admin).outbox.retry({ id }),
    ]);
    const done = retries.filter((r) => r.status === "fulfilled");
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const r of done) expect(r.value).toEqual({ id, status: "queued" });
    // A second retry that comes after a worker took the row is refused, never sent again.
    for (const r of retries.filter((r): r is PromiseRejectedResult => r.status === "rejected"))
      expect((r.reason as TRPCError).code).toBe("CONFLICT");

    const events = await retryEvents(id);
    expect(events).toHaveLength(done.length);
    expect(events[0]).toEqual({
      actorType: "staff",
      actorId: expect.stringMatching(new RegExp(`^(${operations.id}|${admin.id})$`)),
      partnerId: partner.id,
      before: { status: "failed", attempts: MAX_ATTEMPTS, lastError: "connect ECONNREFUSED 127.0.0.1:25" },
      after: { status: "queued" },
      ip: "127.0.0.1",
    });

    // Two instances deliver at once, until the message has arrived, and then some more.
    const { transport } = onlyTo(domain, smtpTransport(smtp.port));
    const mine = () => smtp.received.filter((m) => m.to.includes(to));
    const deadline = Date.now() + 20_000;
    let roundsAfterDelivery = 0;
    while (roundsAfterDelivery < 3) {
      if (Date.now() > deadline) throw new Error("the retried email was not delivered within 20 s");
      const row = await readRow(id);
      // Another file's delivery run may have bounced it (a retry buys one attempt); staff retry again.
      if (row.status === "failed") await callerFor(operations).outbox.retry({ id });
      await getDb()
        .update(emailOutbox)
        .set({ nextAttemptAt: new Date("2000-01-01T00:00:00Z") })
        .where(and(eq(emailOutbox.id, id), eq(emailOutbox.status, "queued")));
      await Promise.all([deliverDueEmails({ transport }), deliverDueEmails({ transport })]);
      if (mine().length > 0) roundsAfterDelivery++;
    }

    expect(mine()).toHaveLength(1);
    expect(mine()[0]!.raw).toContain("482915");
    const row = await readRow(id);
    expect(row).toMatchObject({ status: "sent", claimedUntil: null });
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.messageId).toMatch(/^<.+>$/);

    const again = await trpcFailure(() => callerFor(operations).outbox.retry({ id }));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toBe("This email has been sent already");
    expect(mine()).toHaveLength(1);
  });

  it("brings a failing email's next attempt forward", async () => {
    const id = await emailIn(`failing@${testDomain()}`, {
      attempts: 3,
      lastError: "SMTP 451 try later",
      nextAttemptAt: new Date(Date.now() + 60 * 60_000),
    });

    const started = await getDb().execute<{ now: Date }>(sql`select now() as now`);
    await expect(callerFor(operations).outbox.retry({ id })).resolves.toEqual({ id, status: "queued" });
    const row = await readRow(id);
    // Due at once: unless another file's delivery run has claimed (and bounced) it since, it waits for no one.
    if (row.attempts === 3)
      expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(new Date(started.rows[0]!.now).getTime() + 5_000);
    else expect(row.attempts).toBeGreaterThan(3);
    expect(await retryEvents(id)).toEqual([
      {
        actorType: "staff",
        actorId: operations.id,
        partnerId: null,
        before: { status: "failing", attempts: 3, lastError: "SMTP 451 try later" },
        after: { status: "queued" },
        ip: "127.0.0.1",
      },
    ]);
  });

  it("refuses mail that is being sent or was sent, and unknown ids, changing nothing", async () => {
    const to = `refused@${testDomain()}`;
    const sending = await emailIn(to, { status: "sending", attempts: 1, claimedUntil: farFuture });
    const sent = await emailIn(to, { status: "sent", attempts: 1, sentAt: new Date() });

    const busy = await trpcFailure(() => callerFor(operations).outbox.retry({ id: sending }));
    expect(busy.code).toBe("CONFLICT");
    expect(busy.message).toMatch(/being sent right now/);
    expect((await trpcFailure(() => callerFor(operations).outbox.retry({ id: sent }))).code).toBe("CONFLICT");
    expect((await trpcFailure(() => callerFor(operations).outbox.retry({ id: randomUUID() }))).code).toBe("NOT_FOUND");

    expect(await readRow(sending)).toMatchObject({ status: "sending", attempts: 1, claimedUntil: farFuture });
    expect(await readRow(sent)).toMatchObject({ status: "sent", attempts: 1 });
    expect(await retryEvents(sending)).toEqual([]);
    expect(await retryEvents(sent)).toEqual([]);
  });
});
