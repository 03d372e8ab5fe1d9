"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import { loadMoreArguments, pathWith } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { KYC_FILTER_KEYS, kycQueueInput, kycRowsPage } from "./rows";

/** The review queue's "Load more": the verifications after `cursor` for the filters in `query`. */
export async function loadMoreVerifications(query: string, cursor: string): Promise<ActionResult<RowsPage>> {
  const args = loadMoreArguments(query, cursor, KYC_FILTER_KEYS);
  if ("ok" in args) return args;
  return runAction(async (api) => kycRowsPage(await api.kyc.queue(kycQueueInput(args.filters, args.cursor))), {
    path: pathWith("/kyc", query),
  });
}
