"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { BulkOperationView } from "@/server/clients/bulk";
import { filterParamsOf } from "@/server/clients/filter-params";
import type { StartBulkInput } from "@/server/clients/bulk-schemas";
import { clientsPath, filtersInput } from "./rows";

/** How many clients the filters in `query` match: asked for by "select all matching", not with every page. */
export async function countMatching(query: string): Promise<ActionResult<number>> {
  return runAction(
    async (api) => (await api.client.count(filtersInput(filterParamsOf(new URLSearchParams(query))))).count,
    { path: clientsPath(query) },
  );
}

/**
 * Starts a bulk action on the picked rows (each with the version shown) or on
 * every client matching the filters in `query`. Picked rows come back done;
 * a filter-wide action comes back queued, to be followed on its own page.
 */
export async function startBulk(
  query: string,
  request: {
    action: StartBulkInput["action"];
    reason?: string;
    picked?: Array<{ id: string; updatedAt: string }>;
  },
): Promise<ActionResult<BulkOperationView>> {
  const selection = request.picked
    ? { clientIds: request.picked }
    : { filter: filtersInput(filterParamsOf(new URLSearchParams(query))) };
  return runAction(
    (api) =>
      api.client.bulk({
        action: request.action,
        ...(request.reason ? { reason: request.reason } : {}),
        selection,
      }),
    { path: clientsPath(query) },
  );
}

/** Stops a background bulk action after the batch in flight. */
export async function cancelBulk(id: string): Promise<ActionResult> {
  return runAction(async (api) => void (await api.client.bulkCancel({ id })), { path: `/clients/bulk/${id}` });
}
