import type { Metadata } from "next";
import { searchParamsOf } from "@/server/clients/filter-params";
import { COUNTRY_CODES } from "@/server/registration/countries";
import { ListRefusal } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { EmptyState, PageHeader } from "../../_components/ui";
import {
  clientSortLabels,
  clientStateLabels,
  countryOptions,
  optionsOf,
  verificationLabels,
} from "../../_components/vocabulary";
import { ClientFilters } from "./client-filters";
import { ClientTable } from "./client-table";
import { clientsPageData } from "./rows";

export const metadata: Metadata = { title: "Clients" };

const countries = countryOptions(COUNTRY_CODES);
const choices = {
  sort: optionsOf(clientSortLabels),
  state: optionsOf(clientStateLabels),
  verificationStatus: optionsOf(verificationLabels),
};
const labels = { state: clientStateLabels, verification: verificationLabels };

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The clients of every partner the staff member can see, rendered on the
 * server with the page through `client.list` (decisions 0015 and 0019): the
 * first rows arrive in the HTML, and the browser runs only the filter form and
 * "Load more".
 */
export default async function ClientsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { filters, partners, list, canAct } = await clientsPageData(queryOf(await searchParams));
  const query = searchParamsOf(filters).toString();
  const filtered = Object.keys(filters).some((k) => k !== "sort");

  return (
    <div>
      <Notifications />
      <PageHeader
        title="Clients"
        description="Search and filter the clients of every partner you can see."
        actions={
          !list.ok && list.kind === "invalid" ? undefined : (
            <a
              href={`/api/clients/export${query ? `?${query}` : ""}`}
              download
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
            >
              Export CSV
            </a>
          )
        }
      />
      <ClientFilters
        filters={filters}
        errors={list.ok ? {} : list.fieldErrors}
        partners={partners}
        countries={countries}
        choices={choices}
      >
        {!list.ok ? (
          <ListRefusal refusal={list} />
        ) : list.data.rows.length === 0 ? (
          <EmptyState title={filtered ? "No clients match these filters" : "No clients yet"}>
            {filtered ? "Try a shorter search or fewer filters." : "Clients appear here once partners register them."}
          </EmptyState>
        ) : (
          // A new search, or the same one finding a different first page, starts "Load more" again.
          <ClientTable
            key={`${query}|${list.data.rows[0]!.id}|${list.data.nextCursor}`}
            query={query}
            first={list.data}
            filtered={filtered}
            labels={labels}
            canAct={canAct}
          />
        )}
      </ClientFilters>
    </div>
  );
}

function queryOf(searchParams: SearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, one);
  }
  return params;
}
