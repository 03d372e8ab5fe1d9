"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { RowsPage } from "../../../_components/paged-table";
import { DELIVERY_PAGE, deliveryRowsPage } from "./webhook-rows";

/** "Load more" of an endpoint's delivery log: the messages after `cursor`, rendered on the server. */
export async function loadMoreDeliveries(
  partnerId: number,
  endpointId: string,
  cursor: string,
): Promise<ActionResult<RowsPage>> {
  const path = Number.isSafeInteger(partnerId) ? `/partners/${partnerId}` : "/partners";
  return runAction(
    async (api) =>
      deliveryRowsPage(partnerId, await api.webhook.deliveries({ endpointId, cursor, limit: DELIVERY_PAGE })),
    { path },
  );
}
