import type { AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import type { MailTransport } from "../../server/mail/transport";

export interface Received {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  received: Received[];
  stop(): Promise<void>;
}

/** A real SMTP server on a free loopback port that keeps every message it receives. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : "",
          to: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    port,
    received,
    stop: () => (stopping ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

export function smtpTransport(port: number) {
  return nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
}

/*
 * deliverDueEmails claims every due row of the shared test database, so this
 * transport passes on only one test's mail (its own domain) and bounces the
 * rest back to the queue; the attempts it made for that mail are recorded.
 */
export function onlyTo(domain: string, inner: MailTransport) {
  const attempts: { to: string; ok: boolean }[] = [];
  const transport: MailTransport = {
    async sendMail(m) {
      if (!m.to.endsWith(`@${domain}`)) throw new Error("not addressed to this test");
      try {
        const info = await inner.sendMail(m);
        attempts.push({ to: m.to, ok: true });
        return info;
      } catch (error) {
        attempts.push({ to: m.to, ok: false });
        throw error;
      }
    },
  };
  return { transport, attempts };
}
