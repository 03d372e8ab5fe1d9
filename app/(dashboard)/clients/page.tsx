import type { Metadata } from "next";
import { staffForPage } from "@/server/auth/session";
import { searchParamsOf } from "@/server/clients/filter-params";
import { clientsPageData } from "@/server/clients/list-view";
import { COUNTRY_CODES } from "@/server/registration/countries";
import { EmptyState, ErrorNotice, PageHeader } from "../../_components/ui";
import { ClientFilters } from "./client-filters";
import { ClientTable } from "./client-table";

export const metadata: Metadata = { title: "Clients" };

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
const countries = [...COUNTRY_CODES].map((code) => ({ code, name: regionNames.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name));

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The clients of every partner the staff member can see, rendered on the
 * server with the page (decision 0015): the first rows arrive in the HTML, and
 * the browser runs only the filter form and "Load more".
 */
export default async function ClientsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = queryOf(await searchParams);
  // The layout sends visitors who are signed out elsewhere, but a page renders alongside its layout, so it checks too.
  const staff = await staffForPage(params.size ? `/clients?${params}` : "/clients");

  const { filters, partners, list } = await clientsPageData({ staff, params });
  const query = searchParamsOf(filters).toString();
  const filtered = Object.keys(filters).some((k) => k !== "sort");

  return (
    <div>
      <PageHeader
        title="Clients"
        description="Search and filter the clients of every partner you can see."
        actions={
          list.kind === "invalid" ? undefined : (
            <a href={`/api/clients/export${query ? `?${query}` : ""}`} download className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700">
              Export CSV
            </a>
          )
        }
      />
      <ClientFilters filters={filters} errors={list.kind === "invalid" ? list.fields : {}} partners={partners} countries={countries}>
        {list.kind !== "rows" ? (
          <ErrorNotice>{list.message}</ErrorNotice>
        ) : list.rows.length === 0 ? (
          <EmptyState title={filtered ? "No clients match these filters" : "No clients yet"}>{filtered ? "Try a shorter search or fewer filters." : "Clients appear here once partners register them."}</EmptyState>
        ) : (
          // A new search, or the same one finding a different first page, starts "Load more" again.
          <ClientTable key={`${query}|${list.rows[0]!.id}|${list.nextCursor}`} query={query} first={list} filtered={filtered} />
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
