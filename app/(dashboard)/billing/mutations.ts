"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import { formatDateTime } from "../../_components/vocabulary";

/** Cancels a subscription with the reason for the audit log; answers how it ends, in words ("it runs until … UTC"). */
export async function cancelSubscription(input: {
  subscriptionId: string;
  reason: string;
}): Promise<ActionResult<string>> {
  return runAction(
    async (api) => {
      const result = await api.subscription.cancel(input);
      return result.status === "DEACTIVATING"
        ? `it runs until ${formatDateTime(result.endsAt, { zone: true })}`
        : "it has ended";
    },
    { path: "/billing" },
  );
}

/** Voids an open invoice with the reason for the audit log; its subscription is cancelled with it. */
export async function voidInvoice(input: { invoiceId: string; reason: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.invoice.void(input)), { path: "/billing" });
}
