import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { AUDIT_FILTER_KEYS } from "@/server/audit/schemas";
import { filtersOf, ListRefusal, pathWith, queryOf, RoleRefusal, type SearchParams } from "../../_components/list-page";
import { PagedTable } from "../../_components/paged-table";
import { Th } from "../../_components/section";
import { EmptyState, PageHeader } from "../../_components/ui";
import { loadMoreAuditEvents } from "./load-more";
import { AuditFiltersForm } from "./filters";
import { auditListInput, auditRowsPage } from "./rows";

export const metadata: Metadata = { title: "Audit log" };

/** The admins' audit log, rendered on the server: filters in the address, "Load more" through a server action. */
export default async function AuditLogPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = filtersOf(await searchParams, AUDIT_FILTER_KEYS);
  const query = queryOf(filters, AUDIT_FILTER_KEYS);
  const path = pathWith("/audit", query);
  const [choices, list] = await Promise.all([
    loadPage(path, (api) => Promise.all([api.audit.facets(), api.staff.list(), api.partner.options()])),
    loadPage(path, (api) => api.audit.list(auditListInput(filters))),
  ]);
  if (!choices.ok)
    return (
      <RoleRefusal title="Audit log">
        {choices.kind === "forbidden" ? "Only admins read the audit log; ask an admin." : choices.message}
      </RoleRefusal>
    );
  const [facets, staff, partners] = choices.data;
  const filtered = Object.keys(filters).length > 0;

  return (
    <div>
      <PageHeader
        title="Audit log"
        description="Every staff action and security event, newest first: sign-ins and failed sign-ins, lockouts, changes to clients, partners, keys and staff. Events cannot be changed or removed."
        actions={
          list.ok || list.kind !== "invalid" ? (
            <a
              href={pathWith("/api/audit/export", query)}
              download
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
            >
              Export CSV
            </a>
          ) : undefined
        }
      />
      <AuditFiltersForm
        keys={AUDIT_FILTER_KEYS}
        filters={filters}
        errors={list.ok ? {} : list.fieldErrors}
        staff={staff.map((s) => ({ id: s.id, name: s.name, email: s.email }))}
        actions={facets.actions}
        entityTypes={facets.entityTypes}
        partners={partners.map((p) => ({ id: p.id, name: p.name }))}
      >
        {!list.ok ? (
          <ListRefusal refusal={list} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title={filtered ? "No events match these filters" : "No events yet"}>
            {filtered
              ? "Try fewer filters or a wider date range."
              : "Events appear here as staff work and people sign in."}
          </EmptyState>
        ) : (
          <PagedTable
            query={query}
            caption={`Audit events${filtered ? " matching the filters" : ""}`}
            head={
              <>
                <Th>When (UTC)</Th>
                <Th>Actor</Th>
                <Th>Action</Th>
                <Th>Entity</Th>
                <Th>Partner</Th>
                <Th>IP</Th>
                <Th>Details</Th>
              </>
            }
            first={auditRowsPage(list.data)}
            loadMore={loadMoreAuditEvents.bind(null, query)}
            noun={["event", "events"]}
          />
        )}
      </AuditFiltersForm>
    </div>
  );
}
