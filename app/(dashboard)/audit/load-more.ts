"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import { AUDIT_FILTER_KEYS } from "@/server/audit/schemas";
import type { RowsPage } from "../../_components/paged-table";
import { loadMoreArguments, pathWith } from "../../_components/list-page";
import { auditListInput, auditRowsPage } from "./rows";

/** The Audit log's "Load more": the events after `cursor` for the filters in `query` (the page's own query string). */
export async function loadMoreAuditEvents(query: string, cursor: string): Promise<ActionResult<RowsPage>> {
  const args = loadMoreArguments(query, cursor, AUDIT_FILTER_KEYS);
  if ("ok" in args) return args;
  return runAction(async (api) => auditRowsPage(await api.audit.list(auditListInput(args.filters, args.cursor))), {
    path: pathWith("/audit", query),
  });
}
