import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { AutoRefresh } from "../../_components/auto-refresh";
import { filtersOf, ListRefusal, pathWith, queryOf, RoleRefusal, type SearchParams } from "../../_components/list-page";
import { PagedTable } from "../../_components/paged-table";
import { Th } from "../../_components/section";
import { EmptyState, PageHeader } from "../../_components/ui";
import { loadMoreVerifications } from "./load-more";
import { KycFiltersForm } from "./filters";
import { KYC_FILTER_KEYS, kycQueueInput, kycRowsPage } from "./rows";

export const metadata: Metadata = { title: "KYC review" };

/** The KYC review queue, oldest first, rendered on the server and again every 30 seconds while open. */
export default async function KycReviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = filtersOf(await searchParams, KYC_FILTER_KEYS);
  const query = queryOf(filters, KYC_FILTER_KEYS);
  const path = pathWith("/kyc", query);
  const [partners, list] = await Promise.all([
    loadPage(path, (api) => api.partner.options()),
    loadPage(path, (api) => api.kyc.queue(kycQueueInput(filters))),
  ]);
  if (!partners.ok) return <RoleRefusal title="KYC review">{partners.message}</RoleRefusal>;
  const filtered = Object.keys(filters).length > 0;

  return (
    <div>
      <PageHeader
        title="KYC review"
        description="Verifications waiting for a decision: submitted (pending), on hold, or rejected with a retry allowed. Oldest first."
      />
      <AutoRefresh seconds={30} />
      <KycFiltersForm
        keys={KYC_FILTER_KEYS}
        filters={filters}
        errors={list.ok ? {} : list.fieldErrors}
        partners={partners.data.map((p) => ({ id: p.id, name: p.name }))}
      >
        {!list.ok ? (
          <ListRefusal refusal={list} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={filtered ? "Nothing to review for these filters" : "Nothing to review"}>
            Verifications appear here once a client submits their documents.
          </EmptyState>
        ) : (
          <PagedTable
            query={query}
            caption="KYC review queue"
            head={
              <>
                <Th>Client</Th>
                <Th>Name</Th>
                <Th>Partner</Th>
                <Th>Queue</Th>
                <Th>Waiting</Th>
                <Th>Provider</Th>
                <Th>Labels</Th>
              </>
            }
            first={kycRowsPage(list.data)}
            loadMore={loadMoreVerifications.bind(null, query)}
            noun={["verification", "verifications"]}
          />
        )}
      </KycFiltersForm>
    </div>
  );
}
