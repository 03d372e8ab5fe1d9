"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import { loadMoreArguments, pathWith } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { OUTBOX_FILTER_KEYS, outboxListInput, outboxRowsPage } from "./rows";

/** The Outbox's "Load more": the emails after `cursor` for the filters in `query`. */
export async function loadMoreEmails(query: string, cursor: string): Promise<ActionResult<RowsPage>> {
  const args = loadMoreArguments(query, cursor, OUTBOX_FILTER_KEYS);
  if ("ok" in args) return args;
  return runAction(async (api) => outboxRowsPage(await api.outbox.list(outboxListInput(args.filters, args.cursor))), {
    path: pathWith("/outbox", query),
  });
}
