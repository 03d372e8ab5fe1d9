import { getDb } from "../../db/client";
import { streamCsvPages, type CsvColumn } from "../csv";
import { fetchAuditPage, type AuditEventItem } from "./list";
import { recordAudit, type Actor } from "./record";
import { auditFiltersSchema, type AuditFiltersInput } from "./schemas";

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

const COLUMNS: Array<CsvColumn<AuditEventItem>> = [
  ["id", (e) => e.id],
  ["at", (e) => e.at],
  ["actor_type", (e) => e.actorType],
  ["actor_id", (e) => e.actorId],
  ["actor_name", (e) => e.actorName],
  ["actor_detail", (e) => e.actorDetail],
  ["action", (e) => e.action],
  ["entity_type", (e) => e.entityType],
  ["entity_id", (e) => e.entityId],
  ["entity_label", (e) => e.entityLabel],
  ["partner_id", (e) => e.partnerId],
  ["partner_name", (e) => e.partnerName],
  ["ip", (e) => e.ip],
  ["request_id", (e) => e.requestId],
  ["before", (e) => json(e.before)],
  ["after", (e) => json(e.after)],
];

/**
 * The events matching the filters as CSV, newest first, one chunk per keyset
 * page: no row cap, and one page in memory at a time.
 */
export function streamAuditCsv(o: { input: AuditFiltersInput; pageSize?: number }): AsyncGenerator<string, void, undefined> {
  const filters = auditFiltersSchema.parse(o.input);
  const limit = o.pageSize ?? 1000;
  return streamCsvPages(COLUMNS, (cursor) => fetchAuditPage({ filters, cursor, limit }));
}

/** Taking a copy of the audit log is itself audited, before the first byte goes out. */
export async function recordAuditExport(o: { actor: Actor; input: AuditFiltersInput; ip?: string | null; requestId?: string | null }): Promise<void> {
  const filters = auditFiltersSchema.parse(o.input);
  await recordAudit(getDb(), { actor: o.actor, action: "audit.export", entityType: "audit_log", partnerId: filters.partnerId ?? null, after: { filters }, ip: o.ip, requestId: o.requestId });
}
