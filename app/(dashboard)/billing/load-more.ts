"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import { loadMoreArguments, pathWith } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { INVOICE_FILTER_KEYS, invoiceListInput, invoiceRowsPage } from "./invoices";
import { SUBSCRIPTION_FILTER_KEYS, subscriptionListInput, subscriptionRowsPage } from "./subscriptions";

/** The Subscriptions list's "Load more": the subscriptions after `cursor` for its filters in `query`. */
export async function loadMoreSubscriptions(query: string, cursor: string): Promise<ActionResult<RowsPage>> {
  const args = loadMoreArguments(query, cursor, SUBSCRIPTION_FILTER_KEYS);
  if ("ok" in args) return args;
  return runAction(
    async (api) => subscriptionRowsPage(await api.subscription.list(subscriptionListInput(args.filters, args.cursor))),
    { path: pathWith("/billing", query) },
  );
}

/** The Invoices list's "Load more": the invoices after `cursor` for its filters in `query`. */
export async function loadMoreInvoices(query: string, cursor: string): Promise<ActionResult<RowsPage>> {
  const args = loadMoreArguments(query, cursor, INVOICE_FILTER_KEYS);
  if ("ok" in args) return args;
  return runAction(
    async (api) => invoiceRowsPage(await api.invoice.list(invoiceListInput(args.filters, args.cursor))),
    { path: pathWith("/billing", query) },
  );
}
