"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import { loadMoreArguments, pathWith } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { PENDING_FILTER_KEYS, pendingListInput, pendingRowsPage } from "./rows";

/** Pending confirmations' "Load more": the ones after `cursor` for the filters in `query`. */
export async function loadMorePending(query: string, cursor: string): Promise<ActionResult<RowsPage>> {
  const args = loadMoreArguments(query, cursor, PENDING_FILTER_KEYS);
  if ("ok" in args) return args;
  return runAction(
    async (api) => {
      const [me, page] = await Promise.all([
        api.account.me(),
        api.pending.list(pendingListInput(args.filters, args.cursor)),
      ]);
      return pendingRowsPage(page, me.role !== "kam");
    },
    { path: pathWith("/pending", query) },
  );
}
