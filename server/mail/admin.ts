import { and, desc, eq, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { emailOutbox, partners } from "../../db/schema";
import { recordAudit, type Actor } from "../audit/record";
import { config } from "../config";
import { AppError } from "../errors";
import { retryEmail } from "./outbox";
import type { OutboxListInput, OutboxViewStatus } from "./schemas";

/** The back office's view of the outbox: the list, one message, and retrying it. */

const viewStatus = sql<OutboxViewStatus>`case when ${emailOutbox.status} = 'queued' and ${emailOutbox.lastError} is not null then 'failing' else ${emailOutbox.status}::text end`;

function statusCondition(status: OutboxViewStatus): SQL {
  if (status === "queued") return and(eq(emailOutbox.status, "queued"), isNull(emailOutbox.lastError))!;
  if (status === "failing") return and(eq(emailOutbox.status, "queued"), isNotNull(emailOutbox.lastError))!;
  return eq(emailOutbox.status, status);
}

// Keyset position: created_at to the microsecond (a JS Date keeps milliseconds only) and the row id.
const createdKey = sql<string>`to_char(${emailOutbox.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/;

function decodeCursor(raw: string): { key: string; id: string } {
  const match = CURSOR.exec(Buffer.from(raw, "base64url").toString("utf8"));
  if (!match) throw AppError.field("invalid_request", "cursor", "The cursor is not valid for this list; start again from the first page");
  return { key: match[1]!, id: match[2]! };
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
export async function listOutbox(input: OutboxListInput) {
  const where: SQL[] = [];
  if (input.status) where.push(statusCondition(input.status));
  if (input.to) where.push(sql`lower(${emailOutbox.toAddress}) = lower(${input.to})`);
  if (input.cursor) {
    const after = decodeCursor(input.cursor);
    where.push(sql`(${emailOutbox.createdAt}, ${emailOutbox.id}) < (${after.key}::timestamptz, ${after.id}::uuid)`);
  }
  const rows = await getDb()
    .select({ ...listColumns, sortKey: createdKey })
    .from(emailOutbox)
    .leftJoin(partners, eq(partners.id, emailOutbox.partnerId))
    .where(and(...where))
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(input.limit + 1);
  const hasMore = rows.length > input.limit;
  const page = hasMore ? rows.slice(0, input.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: page.map(({ sortKey: _sortKey, ...item }) => item),
    nextCursor: hasMore && last ? Buffer.from(`${last.sortKey}|${last.id}`, "utf8").toString("base64url") : null,
  };
}
export type OutboxListItem = Awaited<ReturnType<typeof listOutbox>>["items"][number];

/** One message as it was rendered, text and HTML, with its delivery state. */
export async function getOutboxMessage(id: string) {
  const [row] = await getDb()
    .select({ ...listColumns, text: emailOutbox.textBody, html: emailOutbox.htmlBody, messageId: emailOutbox.messageId })
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
export async function retryOutboxEmail(o: { id: string; actor: Actor; ip?: string | null; requestId?: string | null }) {
  return getDb().transaction(async (tx) => {
    const [row] = await tx
      .select({ status: viewStatus, attempts: emailOutbox.attempts, lastError: emailOutbox.lastError, partnerId: emailOutbox.partnerId })
      .from(emailOutbox)
      .where(eq(emailOutbox.id, o.id))
      .for("update");
    if (!row) throw new AppError("not_found", "No such email");
    if (row.status === "sent") throw new AppError("conflict", "This email has been sent already");
    if (row.status === "sending") throw new AppError("conflict", "This email is being sent right now; look again in a minute");
    if (!(await retryEmail(o.id, tx))) throw new AppError("conflict", "This email cannot be retried now");
    await recordAudit(tx, {
      actor: o.actor,
      action: "outbox.retry",
      entityType: "email",
      entityId: o.id,
      partnerId: row.partnerId,
      before: { status: row.status, attempts: row.attempts, lastError: row.lastError },
      after: { status: "queued" },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.id, status: "queued" as const };
  });
}

/** How mail leaves this server: without SMTP_URL, the outbox is the development mailbox. */
export function mailDelivery(): { smtpConfigured: boolean } {
  return { smtpConfigured: config().SMTP_URL !== undefined };
}
