import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients, emailOutbox } from "../../db/schema";
import { deliverDueEmails } from "../../server/mail/outbox";
import type { MailTransport } from "../../server/mail/transport";
import { createTestPartner, STRONG_PARTNER_PASSWORD, uniqueEmail, useApi } from "../support/api";

const api = useApi();

interface Received {
  to: string[];
  raw: string;
}

const received: Received[] = [];
let smtp: SMTPServer;
let port: number;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once("error", reject);
    smtp.listen(0, "127.0.0.1", () => resolve());
  });
  port = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/*
 * deliverDueEmails claims every due row of the shared test database. This
 * transport hands the real SMTP transport only this test's recipient and
 * bounces everything else back to the queue, so other files' mail is neither
 * stolen nor marked sent by this test.
 */
function onlyTo(recipient: string, inner: MailTransport): MailTransport {
  return {
    async sendMail(m) {
      if (m.to.toLowerCase() !== recipient.toLowerCase()) throw new Error("not addressed to this test");
      return inner.sendMail(m);
    },
  };
}

/** The 6-digit code in the text part of a raw message (the code block is indented by four spaces). */
function codeInRaw(raw: string): string {
  const unfolded = raw.replace(/=\r?\n/g, "");
  const match = /^ {4}(\d{6})\s*$/m.exec(unfolded);
  if (!match) throw new Error(`no 6-digit code in message:\n${raw}`);
  return match[1]!;
}

describe("partner-API confirmation code over real SMTP", () => {
  it("a non-sandbox partner's step-1 code arrives at an SMTP server through the outbox and completes step 2", async () => {
    const partner = await createTestPartner({ sandbox: false });
    const email = uniqueEmail("smtp");
    const headers = { partnerId: String(partner.id) };

    const first = await api.post("/reg/user", { email, password: STRONG_PARTNER_PASSWORD }, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const rows = await getDb()
      .select({ id: emailOutbox.id, template: emailOutbox.template })
      .from(emailOutbox)
      .where(sql`lower(${emailOutbox.toAddress}) = lower(${email})`);
    expect(rows).toEqual([{ id: expect.any(String), template: "registration_code" }]);
    const row = rows[0];

    const transport = onlyTo(
      email,
      nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true }),
    );
    const mine = () => received.filter((m) => m.to.some((to) => to.toLowerCase() === email.toLowerCase()));
    for (let i = 0; i < 50 && mine().length === 0; i++) {
      // Back-dating puts this row at the head of the due queue (another file may have bounced it).
      await getDb()
        .update(emailOutbox)
        .set({ nextAttemptAt: new Date("2000-01-01T00:00:00Z") })
        .where(and(eq(emailOutbox.id, row!.id), eq(emailOutbox.status, "queued")));
      await deliverDueEmails({ transport });
      // Another file's delivery may hold the row for a moment; give it back time before the next round.
      if (mine().length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(mine()).toHaveLength(1);
    const message = mine()[0]!;
    expect(message.raw).toMatch(/^Subject: Your .+ confirmation code/im);
    expect(message.raw).toMatch(new RegExp(`^To: ${email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "im"));
    const code = codeInRaw(message.raw);

    const [sent] = await getDb()
      .select({ status: emailOutbox.status, sentAt: emailOutbox.sentAt, messageId: emailOutbox.messageId })
      .from(emailOutbox)
      .where(eq(emailOutbox.id, row!.id));
    expect(sent?.status).toBe("sent");
    expect(sent?.sentAt).toBeInstanceOf(Date);
    expect(sent?.messageId).toMatch(/^<.+>$/);

    const second = await api.post(
      "/reg/user",
      { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: code },
      headers,
    );
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.user_id).toMatch(/^usr:[0-9a-f-]{36}$/);
    const [client] = await getDb()
      .select({ id: clients.id, status: clients.verificationStatus })
      .from(clients)
      .where(eq(clients.id, second.body.user_id.slice(4)));
    expect(client).toEqual({ id: second.body.user_id.slice(4), status: "email_verified" });

    // Nothing was delivered twice.
    expect(mine()).toHaveLength(1);
  });
});
