import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { partners } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import { AppError } from "../errors";
import type { Partner } from "./lookup";
import { lockManagedPartner } from "./ownership";
import type { PartnerStatusChangeInput } from "./schemas";

async function changeStatus(caller: Caller, input: PartnerStatusChangeInput, status: Partner["status"]) {
  const { partnerId, reason } = input;
  return getDb().transaction(async (tx) => {
    const partner = await lockManagedPartner(tx, caller, partnerId);
    if (partner.status === status) throw AppError.field("conflict", "partnerId", `The partner is already ${status}`);
    await tx.update(partners).set({ status, updatedAt: new Date() }).where(eq(partners.id, partnerId));
    await recordAudit(tx, caller, {
      action: status === "suspended" ? "partner.suspended" : "partner.reactivated",
      entityType: "partner",
      entityId: String(partnerId),
      partnerId,
      before: { status: partner.status },
      after: { status, reason },
    });
    return { id: partnerId, status };
  });
}

/**
 * Suspends a partner: from the next request on, public calls that act for it
 * (registration, sign-in, email-code resends) are refused with partner_suspended.
 * Nothing is deleted; reactivating restores everything as it was.
 */
export function suspendPartner(caller: Caller, input: PartnerStatusChangeInput) {
  return changeStatus(caller, input, "suspended");
}

export function reactivatePartner(caller: Caller, input: PartnerStatusChangeInput) {
  return changeStatus(caller, input, "active");
}
