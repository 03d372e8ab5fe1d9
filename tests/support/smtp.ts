import type { AddressInfo, Socket } from "node:net";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import type { MailTransport } from "../../server/mail/transport";

interface Received {
  from: string;
  to: string[];
  raw: string;
  /** The name the client gave in EHLO (tells apart instances given different names). */
  clientName: string;
}

/**
 * How the server answers a message: accept it; refuse it with a temporary
 * 451 (as a server under load or greylisting does); or keep it and then drop
 * the connection before answering, so the sender cannot know it arrived.
 */
export type SmtpMode = "accept" | "tempfail" | "drop-after-data";

export interface TestSmtpServer {
  port: number;
  received: Received[];
  mode: SmtpMode;
  stop(): Promise<void>;
}

export interface SmtpServerOptions {
  /** A fixed port, e.g. to come back where a stopped server was; default a free one. */
  port?: number;
  mode?: SmtpMode;
  /** A pause before accepting each message, to keep senders busy for a while. */
  acceptDelayMs?: number;
}

/** A real SMTP server on a loopback port that keeps every message it receives. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (control.mode !== "tempfail") return callback();
      callback(Object.assign(new Error("Try again later"), { responseCode: 451 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : "",
          to: envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          clientName: session.hostNameAppearsAs,
        });
        if (control.mode === "drop-after-data") {
          for (const socket of sockets) if (socket.remotePort === session.remotePort) socket.destroy();
          return;
        }
        if (options.acceptDelayMs) setTimeout(() => callback(), options.acceptDelayMs);
        else callback();
      });
    },
  });
  server.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  // A connection that breaks (one this server drops, a client that goes away) is no failure of the server.
  server.on("error", () => undefined);
  const { port } = server.server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  const control: TestSmtpServer = {
    port,
    received,
    mode: options.mode ?? "accept",
    stop: () => (stopping ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
  return control;
}

/** A header of a raw message, unfolded. */
export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
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
