import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { partners } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { AppError } from "../errors";
import type { Partner } from "./lookup";
import { lockManagedPartner, type PartnerChange } from "./ownership";
import { partnerStatusChangeSchema, type PartnerStatusChangeInput } from "./schemas";

async function changeStatus(o: PartnerChange<PartnerStatusChangeInput>, status: Partner["status"]) {
  const { partnerId, reason } = partnerStatusChangeSchema.parse(o.input);
  return getDb().transaction(async (tx) => {
    const partner = await lockManagedPartner(tx, o.staff, partnerId);
    if (partner.status === status) throw AppError.field("conflict", "partnerId", `The partner is already ${status}`);
    await tx.update(partners).set({ status, updatedAt: new Date() }).where(eq(partners.id, partnerId));
    await recordAudit(tx, {
      actor: { type: "staff", id: o.staff.id },
      action: status === "suspended" ? "partner.suspended" : "partner.reactivated",
      entityType: "partner",
      entityId: String(partnerId),
      partnerId,
      before: { status: partner.status },
      after: { status, reason },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: partnerId, status };
  });
}

/**
 * Suspends a partner: from the next request on, public calls that act for it
 * (registration, sign-in, email-code resends) are refused with partner_suspended.
 * Nothing is deleted; reactivating restores everything as it was.
 */
export function suspendPartner(o: PartnerChange<PartnerStatusChangeInput>) {
  return changeStatus(o, "suspended");
}

export function reactivatePartner(o: PartnerChange<PartnerStatusChangeInput>) {
  return changeStatus(o, "active");
}
