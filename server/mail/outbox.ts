import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { config } from "../../env";
import { runningJob } from "../jobs/runner";
import { log } from "../log";
import { renderEmail, type EmailData, type EmailTemplate } from "./templates";
import type { MailTransport } from "./transport";

/** The outbox worker's job name (worker.ts starts it). */
export const OUTBOX_JOB = "outbox";

/** After this many attempts a row is marked failed and waits for staff to retry it. */
export const MAX_ATTEMPTS = 12;
const CLAIM_SECONDS = 120;
// Sending stops this long into a claim so that no row is still being sent
// when its claim lapses and another instance may take it over.
const CLAIM_SEND_BUDGET_MS = 60_000;
const BACKOFF_BASE_MS = 15_000;
const BACKOFF_CAP_MS = 60 * 60_000;
const LAST_ERROR_MAX = 500;

export interface EnqueueEmailInput<T extends EmailTemplate> {
  template: T;
  to: string;
  data: EmailData<T>;
  partnerId?: number | null;
  clientId?: string | null;
}

/**
 * Renders an email and queues it. Callers pass their open transaction so the
 * email is sent only if the change that causes it commits. Returns the row id.
 */
export async function enqueueEmail<T extends EmailTemplate>(
  db: Executor,
  input: EnqueueEmailInput<T>,
): Promise<string> {
  const { subject, text, html } = renderEmail(input.template, input.data);
  const [row] = await db
    .insert(emailOutbox)
    .values({
      template: input.template,
      toAddress: input.to,
      subject,
      textBody: text,
      htmlBody: html,
      partnerId: input.partnerId ?? null,
      clientId: input.clientId ?? null,
    })
    .returning({ id: emailOutbox.id });
  if (!row) throw new Error("email_outbox insert returned no row");
  // As for webhooks: this instance's worker, if it runs one, polls now rather than at its next tick.
  // Inside a transaction that poll may come before the commit; the row then goes at the tick after.
  runningJob(OUTBOX_JOB)?.wake();
  return row.id;
}

/**
 * Delay before the next attempt after `attempts` failed ones: 15 s doubling
 * per attempt, at most an hour, with ±20% jitter so that rows which failed
 * together (a mail server outage) do not all come back at the same moment.
 */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const exponential = BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1);
  const jittered = Math.min(exponential, BACKOFF_CAP_MS) * (0.8 + 0.4 * random());
  return Math.round(Math.min(jittered, BACKOFF_CAP_MS));
}

export interface DeliverOptions {
  transport: MailTransport;
  limit?: number;
  /** The time to act at; defaults to the database clock, which every instance shares. */
  now?: Date;
}

export interface DeliverResult {
  sent: number;
  failed: number;
}

type ClaimedRow = {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number;
};

/**
 * The Message-ID of an outbox row: the same on every attempt and on every
 * instance sharing MAIL_FROM. Delivery is at least once (a server may accept
 * a message just as the connection drops, and it is then sent again), so a
 * repeat carries the same Message-ID and receivers can tell it is one email.
 */
export function messageIdFor(outboxId: string, from: string = config().MAIL_FROM): string {
  const domain = /@([^\s@<>]+)>?\s*$/.exec(from)?.[1] ?? "gatehouse.invalid";
  return `<${outboxId}@${domain}>`;
}

/**
 * Sends one batch of due emails. Safe to run on every instance at once: rows
 * are claimed with FOR UPDATE SKIP LOCKED, and a claim that lapses (the
 * instance died mid-send) makes the row due again. Delivery is therefore at
 * least once, under one Message-ID per row; a row is marked sent only by the
 * worker that holds its claim.
 */
export async function deliverDueEmails({ transport, limit = 20, now }: DeliverOptions): Promise<DeliverResult> {
  const db = getDb();
  const clock: SQL = now ? sql`${now.toISOString()}::timestamptz` : sql`now()`;
  const claimed = await db.execute<ClaimedRow>(sql`
    update email_outbox
    set status = 'sending',
        claimed_until = ${clock} + make_interval(secs => ${CLAIM_SECONDS}),
        attempts = attempts + 1
    where id in (
      select id from email_outbox
      where (status = 'queued' and next_attempt_at <= ${clock})
         or (status = 'sending' and claimed_until < ${clock})
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning id, to_address, subject, text_body, html_body, attempts`);

  const from = config().MAIL_FROM;
  const claimedAt = performance.now();
  const result: DeliverResult = { sent: 0, failed: 0 };
  for (const [index, row] of claimed.rows.entries()) {
    if (performance.now() - claimedAt > CLAIM_SEND_BUDGET_MS) {
      await releaseClaims(claimed.rows.slice(index));
      break;
    }
    const held = and(
      eq(emailOutbox.id, row.id),
      eq(emailOutbox.status, "sending"),
      eq(emailOutbox.attempts, row.attempts),
    );
    let messageId = messageIdFor(row.id, from);
    try {
      const info = await transport.sendMail({
        from,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        messageId,
      });
      messageId = info.messageId ?? messageId;
    } catch (error) {
      const lastError = errorMessage(error).slice(0, LAST_ERROR_MAX);
      const givingUp = row.attempts >= MAX_ATTEMPTS;
      await db
        .update(emailOutbox)
        .set(
          givingUp
            ? { status: "failed", claimedUntil: null, lastError }
            : {
                status: "queued",
                claimedUntil: null,
                lastError,
                nextAttemptAt: sql`${clock} + make_interval(secs => ${backoffMs(row.attempts) / 1000})`,
              },
        )
        .where(held);
      log.warn(givingUp ? "email delivery failed; giving up" : "email delivery failed; will retry", {
        outboxId: row.id,
        attempts: row.attempts,
        error: lastError,
      });
      result.failed++;
      continue;
    }
    const marked = await db
      .update(emailOutbox)
      .set({ status: "sent", sentAt: clock, messageId, claimedUntil: null })
      .where(held)
      .returning({ id: emailOutbox.id });
    if (marked.length > 0) result.sent++;
    else log.warn("email sent after its claim lapsed; another worker owns the row", { outboxId: row.id });
  }
  return result;
}

/** Hands unsent rows back without waiting for their claim to lapse. */
async function releaseClaims(rows: ClaimedRow[]): Promise<void> {
  for (const row of rows) {
    await getDb()
      .update(emailOutbox)
      .set({ status: "queued", claimedUntil: null })
      .where(
        and(eq(emailOutbox.id, row.id), eq(emailOutbox.status, "sending"), eq(emailOutbox.attempts, row.attempts)),
      );
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}

/**
 * Makes a failed or queued email due now. Attempts keep counting (they guard
 * the claims), so a failed row gets one more attempt per retry.
 */
export async function retryEmail(id: string, db: Executor = getDb()): Promise<boolean> {
  const rows = await db
    .update(emailOutbox)
    .set({ status: "queued", nextAttemptAt: sql`now()`, claimedUntil: null })
    .where(and(eq(emailOutbox.id, id), inArray(emailOutbox.status, ["failed", "queued"])))
    .returning({ id: emailOutbox.id });
  return rows.length > 0;
}
