import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { deliverDueEmails, enqueueEmail } from "../../server/mail/outbox";
import { getMailTransport } from "../../server/mail/transport";
import { headerOf, onlyTo, smtpTransport, startSmtpServer, type TestSmtpServer } from "../support/smtp";

async function makeDue(id: string): Promise<void> {
  await getDb()
    .update(emailOutbox)
    .set({ nextAttemptAt: new Date("2000-01-01T00:00:00Z") })
    .where(and(eq(emailOutbox.id, id), eq(emailOutbox.status, "queued")));
}

/**
 * Delivers until the transport has made one more attempt at this file's mail.
 * Bounded by time, not rounds: another file's worker may hold the row a moment.
 */
async function deliverOnce(id: string, wrapped: ReturnType<typeof onlyTo>): Promise<void> {
  const before = wrapped.attempts.length;
  const deadline = Date.now() + 15_000;
  while (wrapped.attempts.length === before) {
    if (Date.now() > deadline) throw new Error("the row was not attempted within 15 s");
    await makeDue(id);
    await deliverDueEmails({ transport: wrapped.transport });
  }
}

async function readRow(id: string) {
  const [row] = await getDb().select().from(emailOutbox).where(eq(emailOutbox.id, id));
  if (!row) throw new Error(`outbox row ${id} not found`);
  return row;
}

const servers: TestSmtpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe("delivery over SMTP", () => {
  it("delivers through a real SMTP server, keeps mail queued while it is down, and delivers once when it is back", async () => {
    const domain = `smtp-${randomUUID().slice(0, 8)}.mail.test`;
    const to = `client@${domain}`;
    const id = await enqueueEmail(getDb(), {
      template: "registration_code",
      to,
      data: { partnerName: "SMTP Test", code: "908172", expiresInMinutes: 10 },
    });

    const first = await startSmtpServer();
    servers.push(first);
    const viaFirst = onlyTo(domain, smtpTransport(first.port));
    await deliverOnce(id, viaFirst);

    expect(viaFirst.attempts).toEqual([{ to, ok: true }]);
    expect(first.received).toHaveLength(1);
    expect(first.received[0]!.to).toEqual([to]);
    expect(first.received[0]!.raw).toContain("908172");
    expect(first.received[0]!.raw).toContain("Subject: Your SMTP Test confirmation code");
    let row = await readRow(id);
    expect(row.status).toBe("sent");
    expect(row.messageId).toMatch(/^<.+>$/);

    // While the server is down, a new email fails and waits in the queue.
    await first.stop();
    const laterId = await enqueueEmail(getDb(), {
      template: "registration_code",
      to,
      data: { partnerName: "SMTP Test", code: "563412", expiresInMinutes: 10 },
    });
    await deliverOnce(laterId, viaFirst);
    expect(viaFirst.attempts.at(-1)).toEqual({ to, ok: false });
    row = await readRow(laterId);
    expect(row.status).toBe("queued");
    expect(row.attempts).toBeGreaterThanOrEqual(1);
    expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    expect(row.claimedUntil).toBeNull();
    expect(row.sentAt).toBeNull();

    // A server is back (on another port, so a new transport); the row is due again.
    const second = await startSmtpServer();
    servers.push(second);
    const viaSecond = onlyTo(domain, smtpTransport(second.port));
    await deliverOnce(laterId, viaSecond);
    await makeDue(laterId);
    await deliverDueEmails({ transport: viaSecond.transport });

    expect(viaSecond.attempts).toEqual([{ to, ok: true }]);
    expect(second.received).toHaveLength(1);
    expect(second.received[0]!.to).toEqual([to]);
    expect(second.received[0]!.raw).toContain("563412");
    expect(first.received).toHaveLength(1);
    row = await readRow(laterId);
    expect(row.status).toBe("sent");
    expect(row.sentAt).toBeInstanceOf(Date);
    expect((await readRow(id)).status).toBe("sent");
  });

  it("builds the transport from SMTP_URL", async () => {
    const server = await startSmtpServer();
    servers.push(server);
    const previous = process.env.SMTP_URL;
    process.env.SMTP_URL = `smtp://127.0.0.1:${server.port}`;
    resetConfigForTests();
    try {
      const transport = getMailTransport();
      expect(transport).toBeDefined();
      expect(getMailTransport()).toBe(transport);
      const to = `config@smtp-${randomUUID().slice(0, 8)}.mail.test`;
      await transport!.sendMail({
        from: "Gatehouse <no-reply@gatehouse.test>",
        to,
        subject: "Hello",
        text: "plain",
        html: "<p>html</p>",
        messageId: "<config@gatehouse.test>",
      });
      expect(server.received.map((r) => r.to)).toEqual([[to]]);
      expect(headerOf(server.received[0]!.raw, "Message-ID")).toBe("<config@gatehouse.test>");
    } finally {
      if (previous === undefined) delete process.env.SMTP_URL;
      else process.env.SMTP_URL = previous;
      resetConfigForTests();
    }
    expect(getMailTransport()).toBeUndefined();
  });
});
