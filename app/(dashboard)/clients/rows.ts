import { loadPage, type PageData, type ServerCaller, type ProcedureOutputs } from "@/server/api/server-caller";
import { filterParamsOf } from "@/server/clients/filter-params";
import type { ClientSort, ClientState } from "@/server/clients/schemas";
import { formatDateTime, type verificationLabels } from "../../_components/vocabulary";

type ClientItem = ProcedureOutputs["client"]["list"]["items"][number];

export const CLIENT_PAGE_SIZE = 50;

/** A client as the list shows it: display values only, the creation time already written out (UTC) on the server. */
export interface ClientRow {
  id: string;
  email: string;
  name: string;
  partnerName: string;
  state: ClientState;
  verification: keyof typeof verificationLabels;
  level: number;
  countryCode: string | null;
  created: string;
  /** The version the row shows (UTC text to the microsecond): a bulk action on it skips the client if it changed since. */
  updatedAt: string;
}

/** One page of rows and where the next one starts. */
export interface ClientRowsPage {
  rows: ClientRow[];
  nextCursor: string | null;
}

function rowOf(c: ClientItem): ClientRow {
  return {
    id: c.id,
    email: c.email,
    name: [c.firstName, c.lastName].filter(Boolean).join(" "),
    partnerName: c.partnerName,
    state: c.profileState,
    verification: c.verificationStatus,
    level: c.verificationLevel,
    countryCode: c.countryCode,
    created: formatDateTime(c.createdAt),
    updatedAt: c.updatedAt,
  };
}

/** The address's filters as `client.list` and `client.bulk` take them; their schema checks them. */
export function filtersInput(filters: Record<string, string>) {
  return {
    ...filters,
    state: filters.state as ClientState | undefined,
    verificationStatus: filters.verificationStatus as ClientRow["verification"] | undefined,
    sort: filters.sort as ClientSort | undefined,
  };
}

/** The address's filters as `client.list` takes them; its schema checks them. */
function listInput(filters: Record<string, string>, cursor?: string) {
  return {
    ...filters,
    state: filters.state as ClientState | undefined,
    verificationStatus: filters.verificationStatus as ClientRow["verification"] | undefined,
    sort: filters.sort as ClientSort | undefined,
    cursor,
    limit: CLIENT_PAGE_SIZE,
  };
}

export const clientsPath = (query: string) => (query ? `/clients?${query}` : "/clients");

/**
 * One page of the signed-in staff member's clients for `filters` (after
 * `cursor`), through `client.list`: the kernel applies the role, the partner
 * scope and the filters' schema. Rows leave the server display-ready.
 */
export async function clientListRows(
  api: ServerCaller,
  filters: Record<string, string>,
  cursor?: string,
): Promise<ClientRowsPage> {
  const page = await api.client.list(listInput(filters, cursor));
  return { rows: page.items.map(rowOf), nextCursor: page.nextCursor };
}

/** The first page for the filters in `params`, or the refusal the page shows in its place. */
export function clientRows(params: URLSearchParams): Promise<PageData<ClientRowsPage>> {
  return loadPage(clientsPath(params.toString()), (api) => clientListRows(api, filterParamsOf(params)));
}

/** Everything the Clients page shows for the address's filters: the form's values, the partner choices and the first page. */
export async function clientsPageData(params: URLSearchParams) {
  const filters = filterParamsOf(params);
  const path = clientsPath(params.toString());
  const [partners, list, me] = await Promise.all([
    loadPage(path, (api) => api.partner.options()),
    clientRows(params),
    loadPage(path, (api) => api.account.me()),
  ]);
  return {
    filters,
    partners: partners.ok ? partners.data.map((p) => ({ id: p.id, name: p.name })) : [],
    list,
    // Operations and admins act on many clients at once; a KAM exports only.
    canAct: me.ok && me.data.role !== "kam",
  };
}
