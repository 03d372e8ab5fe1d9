import nodemailer from "nodemailer";
import { config } from "../../env";

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Sent as the Message-ID header, so that a repeated delivery is recognisably the same email. */
  messageId: string;
}

/** The part of a nodemailer transport the outbox uses, so tests can pass fakes. */
export interface MailTransport {
  sendMail(message: MailMessage): Promise<{ messageId?: string }>;
}

let cached: { url: string; transport: MailTransport } | undefined;

// Every send must finish well inside the outbox claim (two minutes); a send
// still hanging when the claim lapses could be delivered twice.
const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * The SMTP transport named by SMTP_URL, or undefined when it is unset: mail
 * then stays in the outbox, which the back office shows as the development
 * mailbox.
 */
export function getMailTransport(): MailTransport | undefined {
  const url = config().SMTP_URL;
  if (!url) return undefined;
  if (cached?.url !== url) cached = { url, transport: nodemailer.createTransport({ url, ...timeouts }) };
  return cached.transport;
}
