import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { filtersOf, ListRefusal, pathWith, queryOf, RoleRefusal, type SearchParams } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { PagedTable } from "../../_components/paged-table";
import { Th } from "../../_components/section";
import { EmptyState, PageHeader } from "../../_components/ui";
import { InvoiceFilters, SubscriptionFilters } from "./filters";
import { INVOICE_FILTER_KEYS, invoiceListInput, invoiceRowsPage } from "./invoices";
import { loadMoreInvoices, loadMoreSubscriptions } from "./load-more";
import { SUBSCRIPTION_FILTER_KEYS, subscriptionListInput, subscriptionRowsPage } from "./subscriptions";

export const metadata: Metadata = { title: "Subscriptions & invoices" };

/** Every partner's subscriptions and invoices, two lists rendered on the server, each with its filters in the address. */
export default async function BillingPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const sFilters = filtersOf(params, SUBSCRIPTION_FILTER_KEYS);
  const iFilters = filtersOf(params, INVOICE_FILTER_KEYS);
  const sQuery = queryOf(sFilters, SUBSCRIPTION_FILTER_KEYS);
  const iQuery = queryOf(iFilters, INVOICE_FILTER_KEYS);
  const path = pathWith("/billing", [sQuery, iQuery].filter(Boolean).join("&"));
  const [partners, subscriptions, invoices] = await Promise.all([
    loadPage(path, (api) => api.partner.options()),
    loadPage(path, (api) => api.subscription.list(subscriptionListInput(sFilters))),
    loadPage(path, (api) => api.invoice.list(invoiceListInput(iFilters))),
  ]);
  // Every role may pick partners; the lists are operations' and admins'.
  const refused = !partners.ok
    ? partners
    : !subscriptions.ok && subscriptions.kind === "forbidden"
      ? subscriptions
      : undefined;
  if (refused) {
    return (
      <RoleRefusal title="Subscriptions & invoices">
        {refused.kind === "forbidden"
          ? "Subscriptions and invoices are run by operations staff and admins; a client's billing is on the client's page."
          : refused.message}
      </RoleRefusal>
    );
  }
  if (!partners.ok) return null;
  const choices = partners.data.map((p) => ({ id: p.id, name: p.name }));
  const sFiltered = Object.keys(sFilters).length > 0;
  const iFiltered = Object.keys(iFilters).length > 0;

  return (
    <div className="space-y-10">
      <PageHeader
        title="Subscriptions & invoices"
        description="Every partner's subscriptions and invoices, newest first. Cancel a subscription, or void an open invoice, with a reason that goes to the audit log."
      />
      <Notifications />
      <section aria-labelledby="subscriptions-heading">
        <h2 id="subscriptions-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Subscriptions
        </h2>
        <SubscriptionFilters
          keys={SUBSCRIPTION_FILTER_KEYS}
          filters={sFilters}
          errors={subscriptions.ok ? {} : subscriptions.fieldErrors}
          partners={choices}
        >
          {!subscriptions.ok ? (
            <ListRefusal refusal={subscriptions} />
          ) : subscriptions.data.items.length === 0 ? (
            <EmptyState title={sFiltered ? "No subscriptions match these filters" : "No subscriptions yet"}>
              {sFiltered
                ? "Try another partner, status or address."
                : "Subscriptions appear here when clients start one through the partner API."}
            </EmptyState>
          ) : (
            <PagedTable
              query={sQuery}
              caption={`Subscriptions${sFiltered ? " matching the filters" : ""}`}
              head={
                <>
                  <Th>Client</Th>
                  <Th>Partner</Th>
                  <Th>Tier</Th>
                  <Th>Status</Th>
                  <Th>Amount</Th>
                  <Th>Period end (UTC)</Th>
                  <Th>Started (UTC)</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </>
              }
              first={subscriptionRowsPage(subscriptions.data)}
              loadMore={loadMoreSubscriptions.bind(null, sQuery)}
              noun={["subscription", "subscriptions"]}
            />
          )}
        </SubscriptionFilters>
      </section>
      <section aria-labelledby="invoices-heading">
        <h2 id="invoices-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Invoices
        </h2>
        <InvoiceFilters
          keys={INVOICE_FILTER_KEYS}
          filters={iFilters}
          errors={invoices.ok ? {} : invoices.fieldErrors}
          partners={choices}
        >
          {!invoices.ok ? (
            <ListRefusal refusal={invoices} />
          ) : invoices.data.items.length === 0 ? (
            <EmptyState title={iFiltered ? "No invoices match these filters" : "No invoices yet"}>
              {iFiltered
                ? "Try another partner, status, kind or address."
                : "Each subscription's first invoice appears here when the client starts it."}
            </EmptyState>
          ) : (
            <PagedTable
              query={iQuery}
              caption={`Invoices${iFiltered ? " matching the filters" : ""}`}
              head={
                <>
                  <Th>Client</Th>
                  <Th>Partner</Th>
                  <Th>Tier</Th>
                  <Th>Kind</Th>
                  <Th>Amount</Th>
                  <Th>Status</Th>
                  <Th>Due (UTC)</Th>
                  <Th>Paid or voided (UTC)</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </>
              }
              first={invoiceRowsPage(invoices.data)}
              loadMore={loadMoreInvoices.bind(null, iQuery)}
              noun={["invoice", "invoices"]}
            />
          )}
        </InvoiceFilters>
      </section>
    </div>
  );
}
