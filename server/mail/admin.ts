import { and, desc, eq, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { emailOutbox, partners } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import { config } from "../../env";
import { AppError } from "../errors";
import { keysetPage, timeCursor, timeKeyOf } from "../keyset";
import { retryEmail } from "./outbox";
import type { OutboxListInput, OutboxTarget, OutboxViewStatus } from "./schemas";

/** The back office's view of the outbox: the list, one message, and retrying it. */

const viewStatus = sql<OutboxViewStatus>`case when ${emailOutbox.status} = 'queued' and ${emailOutbox.lastError} is not null then 'failing' else ${emailOutbox.status}::text end`;

function statusCondition(status: OutboxViewStatus): SQL {
  if (status === "queued") return and(eq(emailOutbox.status, "queued"), isNull(emailOutbox.lastError))!;
  if (status === "failing") return and(eq(emailOutbox.status, "queued"), isNotNull(emailOutbox.lastError))!;
  return eq(emailOutbox.status, status);
}

const listColumns = {
  id: emailOutbox.id,
  template: emailOutbox.template,
  to: emailOutbox.toAddress,
  subject: emailOutbox.subject,
  partnerId: emailOutbox.partnerId,
  partnerName: partners.name,
  clientId: emailOutbox.clientId,
  status: viewStatus,
  attempts: emailOutbox.attempts,
  lastError: emailOutbox.lastError,
  nextAttemptAt: emailOutbox.nextAttemptAt,
  sentAt: emailOutbox.sentAt,
  createdAt: emailOutbox.createdAt,
};

/**
 * The outbox, newest first, by state and recipient: each filter matches an
 * index (status + created_at, lower(to_address) + created_at, created_at).
 * No bodies here; one message is read with getOutboxMessage.
 */
export async function listOutbox(_caller: Caller, input: OutboxListInput) {
  const where: SQL[] = [];
  if (input.status) where.push(statusCondition(input.status));
  if (input.to) where.push(sql`lower(${emailOutbox.toAddress}) = lower(${input.to})`);
  if (input.cursor) {
    const after = timeCursor.uuid.decode(input.cursor);
    where.push(sql`(${emailOutbox.createdAt}, ${emailOutbox.id}) < (${after.k}::timestamptz, ${after.id}::uuid)`);
  }
  const rows = await getDb()
    .select({ ...listColumns, sortKey: timeKeyOf(emailOutbox.createdAt) })
    .from(emailOutbox)
    .leftJoin(partners, eq(partners.id, emailOutbox.partnerId))
    .where(and(...where))
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(input.limit + 1);
  return keysetPage(rows, input.limit);
}

/** One message as it was rendered, text and HTML, with its delivery state. */
export async function getOutboxMessage(_caller: Caller, { id }: OutboxTarget) {
  const [row] = await getDb()
    .select({
      ...listColumns,
      text: emailOutbox.textBody,
      html: emailOutbox.htmlBody,
      messageId: emailOutbox.messageId,
    })
    .from(emailOutbox)
    .leftJoin(partners, eq(partners.id, emailOutbox.partnerId))
    .where(eq(emailOutbox.id, id));
  if (!row) throw new AppError("not_found", "No such email");
  return row;
}

/**
 * Staff retry a failing or failed email: it becomes due at once and the
 * worker sends it. The row is locked while it is checked and reset, so a
 * retry never touches a message a worker is sending or has sent; the worker
 * claims rows with FOR UPDATE SKIP LOCKED, so retries at the same moment
 * still lead to one delivery. Audited in the same transaction.
 */
export async function retryOutboxEmail(caller: Caller, { id }: OutboxTarget) {
  return getDb().transaction(async (tx) => {
    const [row] = await tx
      .select({
        status: viewStatus,
        attempts: emailOutbox.attempts,
        lastError: emailOutbox.lastError,
        partnerId: emailOutbox.partnerId,
      })
      .from(emailOutbox)
      .where(eq(emailOutbox.id, id))
      .for("update");
    if (!row) throw new AppError("not_found", "No such email");
    if (row.status === "sent") throw new AppError("conflict", "This email has been sent already");
    if (row.status === "sending")
      throw new AppError("conflict", "This email is being sent right now; look again in a minute");
    if (!(await retryEmail(id, tx))) throw new AppError("conflict", "This email cannot be retried now");
    await recordAudit(tx, caller, {
      action: "outbox.retry",
      entityType: "email",
      entityId: id,
      partnerId: row.partnerId,
      before: { status: row.status, attempts: row.attempts, lastError: row.lastError },
      after: { status: "queued" },
    });
    return { id, status: "queued" as const };
  });
}

/** How mail leaves this server: without SMTP_URL, the outbox is the development mailbox. */
export function mailDelivery(_caller: Caller): { smtpConfigured: boolean } {
  return { smtpConfigured: config().SMTP_URL !== undefined };
}

/** What waits in the outbox, and what it gave up on (waiting for staff): the Outbox page's summary, beside the webhook backlog. */
export async function emailBacklog(_caller: Caller) {
  const [row] = await getDb()
    .select({
      waiting: sql<number>`(count(*) filter (where ${emailOutbox.status} in ('queued', 'sending')))::int`,
      failing: sql<number>`(count(*) filter (where ${emailOutbox.status} = 'queued' and ${emailOutbox.lastError} is not null))::int`,
      failed: sql<number>`(count(*) filter (where ${emailOutbox.status} = 'failed'))::int`,
      oldestSince:
        sql<Date | null>`min(${emailOutbox.createdAt}) filter (where ${emailOutbox.status} in ('queued', 'sending'))`.mapWith(
          (v: string | null) => (v === null ? null : new Date(v)),
        ),
    })
    .from(emailOutbox)
    // Only the rows these counts read, through the status index.
    .where(sql`${emailOutbox.status} in ('queued', 'sending', 'failed')`);
  return {
    waiting: row?.waiting ?? 0,
    failing: row?.failing ?? 0,
    failed: row?.failed ?? 0,
    oldestWaitingSince: row?.oldestSince ?? null,
  };
}
