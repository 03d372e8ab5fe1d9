import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { AutoRefresh } from "../../_components/auto-refresh";
import { filtersOf, ListRefusal, pathWith, queryOf, RoleRefusal, type SearchParams } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { PagedTable } from "../../_components/paged-table";
import { Th } from "../../_components/section";
import { EmptyState, PageHeader } from "../../_components/ui";
import { loadMorePending } from "./load-more";
import { PendingFiltersForm } from "./filters";
import { PENDING_FILTER_KEYS, pendingListInput, pendingRowsPage } from "./rows";

export const metadata: Metadata = { title: "Pending confirmations" };

/** Registrations and emails waiting for their code, rendered on the server and again every 30 seconds while open. */
export default async function PendingConfirmationsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = filtersOf(await searchParams, PENDING_FILTER_KEYS);
  const query = queryOf(filters, PENDING_FILTER_KEYS);
  const path = pathWith("/pending", query);
  const [choices, list] = await Promise.all([
    loadPage(path, (api) => Promise.all([api.account.me(), api.partner.options()])),
    loadPage(path, (api) => api.pending.list(pendingListInput(filters))),
  ]);
  if (!choices.ok) return <RoleRefusal title="Pending confirmations">{choices.message}</RoleRefusal>;
  const [me, partners] = choices.data;
  const canAct = me.role !== "kam";
  const filtered = filters.partnerId !== undefined || filters.kind !== undefined;

  return (
    <div>
      <PageHeader
        title="Pending confirmations"
        description="Partner-API registrations waiting for their emailed code and white-label clients whose email is not confirmed yet."
      />
      <AutoRefresh seconds={30} />
      {canAct && <Notifications />}
      <PendingFiltersForm
        keys={PENDING_FILTER_KEYS}
        filters={filters}
        errors={list.ok ? {} : list.fieldErrors}
        partners={partners.map((p) => ({ id: p.id, name: p.name }))}
      >
        {!list.ok ? (
          <ListRefusal refusal={list} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={filtered ? "Nothing pending for these filters" : "Nothing is waiting for a code"}>
            {filters.includeExpired === "true"
              ? "Every registration and email has been confirmed or cancelled."
              : "Tick “Show expired” to see confirmations whose code has run out."}
          </EmptyState>
        ) : (
          <PagedTable
            query={query}
            caption="Pending confirmations"
            head={
              <>
                <Th>Kind</Th>
                <Th>Email</Th>
                <Th>Partner</Th>
                <Th>Age</Th>
                <Th>Expires</Th>
                <Th>Attempts</Th>
                <Th>Resends</Th>
                <Th>Sandbox code</Th>
                {canAct && (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </>
            }
            first={pendingRowsPage(list.data, canAct)}
            loadMore={loadMorePending.bind(null, query)}
            noun={["pending confirmation", "pending confirmations"]}
          />
        )}
      </PendingFiltersForm>
    </div>
  );
}
