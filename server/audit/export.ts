import { getDb } from "../../db/client";
import { streamCsvPages, type CsvColumn } from "../csv";
import { fetchAuditPage, type AuditEventItem } from "./list";
import type { Caller } from "../caller";
import { recordAudit } from "./record";
import type { AuditFilters } from "./schemas";

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
export function streamAuditCsv(
  _caller: Caller,
  filters: AuditFilters,
  pageSize = 1000,
): AsyncGenerator<string, void, undefined> {
  return streamCsvPages(COLUMNS, (cursor) => fetchAuditPage({ filters, cursor, limit: pageSize }));
}

/** Taking a copy of the audit log is itself audited, before the first byte goes out. */
export async function recordAuditExport(caller: Caller, filters: AuditFilters): Promise<void> {
  await recordAudit(getDb(), caller, {
    action: "audit.export",
    entityType: "audit_log",
    partnerId: filters.partnerId ?? null,
    after: { filters },
  });
}
