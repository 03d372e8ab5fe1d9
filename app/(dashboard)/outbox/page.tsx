import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { AutoRefresh } from "../../_components/auto-refresh";
import { filtersOf, ListRefusal, pathWith, queryOf, RoleRefusal, type SearchParams } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { PagedTable } from "../../_components/paged-table";
import { Th } from "../../_components/section";
import { EmptyState, PageHeader } from "../../_components/ui";
import { Backlog } from "./backlog";
import { loadMoreEmails } from "./load-more";
import { OutboxFiltersForm } from "./filters";
import { DevelopmentMailboxNotice } from "./parts";
import { OUTBOX_FILTER_KEYS, outboxListInput, outboxRowsPage } from "./rows";

export const metadata: Metadata = { title: "Outbox" };

/** Every email the app sends, newest first, rendered on the server and again every 15 seconds while open. */
export default async function OutboxPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = filtersOf(await searchParams, OUTBOX_FILTER_KEYS);
  const query = queryOf(filters, OUTBOX_FILTER_KEYS);
  const path = pathWith("/outbox", query);
  const [delivery, list, backlog] = await Promise.all([
    loadPage(path, (api) => api.outbox.delivery()),
    loadPage(path, (api) => api.outbox.list(outboxListInput(filters))),
    loadPage(path, async (api) => ({ email: await api.outbox.backlog(), webhooks: await api.webhook.backlog() })),
  ]);
  if (!delivery.ok)
    return (
      <RoleRefusal title="Outbox">
        {delivery.kind === "forbidden"
          ? "Only operations staff and admins read the outbox; ask one of them."
          : delivery.message}
      </RoleRefusal>
    );
  const filtered = Object.keys(filters).length > 0;

  return (
    <div>
      <PageHeader
        title="Outbox"
        description="Every email the app sends, newest first: queued, being sent, sent, and those that failed. Retry what failed; open a message to read it as it was sent. Webhooks are retried by themselves; each partner's delivery log is on its page."
      />
      {!delivery.data.smtpConfigured && <DevelopmentMailboxNotice />}
      {backlog.ok && <Backlog email={backlog.data.email} webhooks={backlog.data.webhooks} />}
      <AutoRefresh seconds={15} />
      <Notifications />
      <OutboxFiltersForm keys={OUTBOX_FILTER_KEYS} filters={filters} errors={list.ok ? {} : list.fieldErrors}>
        {!list.ok ? (
          <ListRefusal refusal={list} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={filtered ? "No emails match these filters" : "No emails yet"}>
            {filtered ? "Try another state or address." : "Emails appear here as soon as the app queues them."}
          </EmptyState>
        ) : (
          <PagedTable
            query={query}
            caption={`Emails${filtered ? " matching the filters" : ""}`}
            head={
              <>
                <Th>Email</Th>
                <Th>Recipient</Th>
                <Th>Partner</Th>
                <Th>State</Th>
                <Th>Attempts</Th>
                <Th>Last error</Th>
                <Th>Next attempt (UTC)</Th>
                <Th>Sent (UTC)</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </>
            }
            first={outboxRowsPage(list.data)}
            loadMore={loadMoreEmails.bind(null, query)}
            noun={["email", "emails"]}
          />
        )}
      </OutboxFiltersForm>
    </div>
  );
}
