import { getDb } from "../../db/client";
import { recordAudit } from "../audit/record";
import { scopeOf, type Caller } from "../caller";
import { streamCsvPages, type CsvColumn } from "../csv";
import { fetchClientPage, type ClientListItem } from "./list";
import type { ClientFilters } from "./schemas";

const COLUMNS: Array<CsvColumn<ClientListItem>> = [
  ["id", (c) => c.id],
  ["email", (c) => c.email],
  ["first_name", (c) => c.firstName],
  ["last_name", (c) => c.lastName],
  ["partner_id", (c) => c.partnerId],
  ["partner_name", (c) => c.partnerName],
  ["state", (c) => c.profileState],
  ["verification_status", (c) => c.verificationStatus],
  ["verification_level", (c) => c.verificationLevel],
  ["country_code", (c) => c.countryCode],
  ["created_at", (c) => c.createdAt],
  ["created_via", (c) => c.createdVia],
];

/**
 * The clients matching the filters as CSV text, one chunk per keyset page: the
 * header first, then up to `pageSize` rows at a time. Nothing is capped and
 * nothing accumulates: the next page is read only when the consumer asks for more.
 */
export function streamClientsCsv(
  caller: Caller,
  filters: ClientFilters,
  o: { pageSize?: number; ids?: readonly string[] } = {},
): AsyncGenerator<string, void, undefined> {
  const scope = scopeOf(caller);
  const limit = o.pageSize ?? 1000;
  return streamCsvPages(COLUMNS, (cursor) => fetchClientPage({ scope, filters, cursor, limit, ids: o.ids }));
}

/** Exports are audited (who took which slice of the client base) before the first byte goes out. */
export async function recordClientExport(
  caller: Caller,
  filters: ClientFilters,
  ids?: readonly string[],
): Promise<void> {
  await recordAudit(getDb(), caller, {
    action: "client.export",
    entityType: "client",
    partnerId: filters.partnerId ?? null,
    after: ids === undefined ? { filters } : { filters, clientIds: ids },
  });
}
