"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import { filterParamsOf } from "@/server/clients/filter-params";
import { loadMoreArguments } from "../../_components/list-page";
import { clientListRows, clientsPath, type ClientRowsPage } from "./rows";

/** The Clients page's "Load more": the page after `cursor` for the filters in `query` (the page's own query string). */
export async function loadMoreClients(query: string, cursor: string): Promise<ActionResult<ClientRowsPage>> {
  const args = loadMoreArguments(query, cursor, []);
  if ("ok" in args) return args;
  return runAction((api) => clientListRows(api, filterParamsOf(new URLSearchParams(query)), cursor), {
    path: clientsPath(query),
  });
}
