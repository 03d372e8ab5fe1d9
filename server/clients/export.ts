import { getDb } from "../../db/client";
import { recordAudit, type Actor } from "../audit/record";
import type { PartnerScope } from "../auth/policies";
import { streamCsvPages, type CsvColumn } from "../csv";
import { fetchClientPage, type ClientListItem } from "./list";
import { clientFiltersSchema, type ClientFiltersInput } from "./schemas";

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
export function streamClientsCsv(o: { scope: PartnerScope; input: ClientFiltersInput; pageSize?: number }): AsyncGenerator<string, void, undefined> {
  const filters = clientFiltersSchema.parse(o.input);
  const limit = o.pageSize ?? 1000;
  return streamCsvPages(COLUMNS, (cursor) => fetchClientPage({ scope: o.scope, filters, cursor, limit }));
}

/** Exports are audited (who took which slice of the client base) before the first byte goes out. */
export async function recordClientExport(o: { actor: Actor; input: ClientFiltersInput; ip?: string | null; requestId?: string | null }): Promise<void> {
  const filters = clientFiltersSchema.parse(o.input);
  await recordAudit(getDb(), {
    actor: o.actor,
    action: "client.export",
    entityType: "client",
    partnerId: filters.partnerId ?? null,
    after: { filters },
    ip: o.ip,
    requestId: o.requestId,
  });
}
