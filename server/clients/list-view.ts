import { partnerScopeOf, type PartnerScope, type StaffMember } from "../auth/policies";
import { fieldErrorsFromIssues, fieldMessages, toAppError } from "../errors";
import { log } from "../log";
import { listPartnerOptions } from "../partners/list";
import { listClients, type ClientListItem } from "./list";
import { clientListInputSchema, filterParamsOf } from "./schemas";

/*
 * The Clients page renders on the server (decision 0015): these functions give
 * it, and its "Load more" action, display-ready rows and every refusal as a
 * message to show in place, so the page ships no query client and no schemas.
 */

export const CLIENT_PAGE_SIZE = 50;

/** A client as the list shows it: display values only, the creation time already written out (UTC). */
export interface ClientRow {
  id: string;
  email: string;
  name: string;
  partnerName: string;
  state: ClientListItem["profileState"];
  verification: ClientListItem["verificationStatus"];
  level: number;
  countryCode: string | null;
  created: string;
}

export type ClientRowsResult =
  | { kind: "rows"; rows: ClientRow[]; nextCursor: string | null }
  /** The filters (or the cursor) are not valid: what to say, and a message per field, keyed by its name. */
  | { kind: "invalid"; message: string; fields: Record<string, string> }
  | { kind: "unavailable"; message: string };

export interface ClientsPageData {
  /** The filters as the address gives them (text), for the form. */
  filters: Record<string, string>;
  partners: Array<{ id: number; name: string }>;
  list: ClientRowsResult;
}

const created = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function rowOf(c: ClientListItem): ClientRow {
  return {
    id: c.id,
    email: c.email,
    name: [c.firstName, c.lastName].filter(Boolean).join(" "),
    partnerName: c.partnerName,
    state: c.profileState,
    verification: c.verificationStatus,
    level: c.verificationLevel,
    countryCode: c.countryCode,
    created: created.format(c.createdAt),
  };
}

const unavailable = { kind: "unavailable", message: "The database is unavailable; reload the page shortly" } as const;

/** One page of the staff member's clients matching the filters in `params`, after `cursor`. */
export async function clientRows(o: { staff: StaffMember; params: URLSearchParams; cursor?: string }): Promise<ClientRowsResult> {
  const scope = await scopeOf(o.staff);
  return scope ? rowsIn(scope, o.params, o.cursor) : unavailable;
}

/** Everything the Clients page shows for the address's filters: the form's values, the partner choices and the first page. */
export async function clientsPageData(o: { staff: StaffMember; params: URLSearchParams }): Promise<ClientsPageData> {
  const filters = filterParamsOf(o.params);
  const scope = await scopeOf(o.staff);
  if (!scope) return { filters, partners: [], list: unavailable };
  const [partners, list] = await Promise.all([partnerChoices(scope), rowsIn(scope, o.params)]);
  return { filters, partners, list };
}

async function rowsIn(scope: PartnerScope, params: URLSearchParams, cursor?: string): Promise<ClientRowsResult> {
  const parsed = clientListInputSchema.safeParse({ ...filterParamsOf(params), cursor, limit: CLIENT_PAGE_SIZE });
  if (!parsed.success) return { kind: "invalid", message: "Some filters are not valid; correct the highlighted fields.", fields: fieldMessages(fieldErrorsFromIssues(parsed.error.issues)) };
  try {
    const page = await listClients({ scope, input: parsed.data });
    return { kind: "rows", rows: page.items.map(rowOf), nextCursor: page.nextCursor };
  } catch (thrown) {
    const { error, unexpected } = toAppError(thrown);
    if (error.status === 400) {
      if (unexpected) log.warn("the database refused the clients list's filters", { error: thrown });
      return { kind: "invalid", message: error.message, fields: fieldMessages(error.fields) };
    }
    if (error.code === "service_unavailable") return unavailable;
    throw thrown;
  }
}

/** The staff member's partner scope, or undefined while the database is unavailable. */
async function scopeOf(staff: StaffMember): Promise<PartnerScope | undefined> {
  try {
    return await partnerScopeOf(staff);
  } catch (thrown) {
    if (toAppError(thrown).error.code === "service_unavailable") return undefined;
    throw thrown;
  }
}

async function partnerChoices(scope: PartnerScope): Promise<Array<{ id: number; name: string }>> {
  try {
    const rows = await listPartnerOptions(scope);
    return rows.map((p) => ({ id: p.id, name: p.name }));
  } catch (thrown) {
    // The list below says the database is away; the form still works without the names.
    if (toAppError(thrown).error.code === "service_unavailable") return [];
    throw thrown;
  }
}
