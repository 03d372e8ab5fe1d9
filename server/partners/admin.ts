import { eq } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { partners, staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { mayManagePartner } from "../auth/policies";
import { AppError } from "../errors";
import { requireActiveKam, type PartnerManager } from "./directory";
import { partnerColumns, type Partner } from "./partners";
import { refuseProtectedChanges } from "./protected-settings";
import {
  PARTNER_SETTING_KEYS,
  partnerStatusChangeSchema,
  reassignPartnerSchema,
  updatePartnerSchema,
  type PartnerSettings,
  type PartnerStatusChangeInput,
  type ReassignPartnerInput,
  type UpdatePartnerInput,
} from "./schemas";

/** What a KAM (for their own partners) or an admin changes on a partner; every change is one audited transaction. */

interface PartnerChange<I> {
  staff: PartnerManager;
  input: I;
  ip?: string | null;
  requestId?: string | null;
}

/**
 * Locks the partner row for the rest of the transaction, so two people
 * changing one partner are serialised and each sees the other's result.
 * Partners the staff member does not manage do not exist for them.
 */
export async function lockManagedPartner(tx: Tx, staff: PartnerManager, partnerId: number, strength: "update" | "share" = "update"): Promise<Partner> {
  const [row] = await tx.select(partnerColumns).from(partners).where(eq(partners.id, partnerId)).for(strength);
  if (!row || !mayManagePartner(staff, row.ownerStaffId)) throw new AppError("not_found", "No such partner");
  return row;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Changes the settings that are sent and differ from the stored ones. The
 * audit event records only those, before and after. Sending nothing new
 * changes nothing and records nothing.
 */
export async function updatePartnerSettings(o: PartnerChange<UpdatePartnerInput>) {
  const { partnerId, ...sent } = updatePartnerSchema.parse(o.input);
  return getDb().transaction(async (tx) => {
    const partner = await lockManagedPartner(tx, o.staff, partnerId);
    const before: Partial<PartnerSettings> = {};
    const after: Partial<PartnerSettings> = {};
    for (const key of PARTNER_SETTING_KEYS) {
      if (sent[key] === undefined || sameValue(sent[key], partner[key])) continue;
      Object.assign(before, { [key]: partner[key] });
      Object.assign(after, { [key]: sent[key] });
    }
    const changed = Object.keys(after) as Array<keyof PartnerSettings>;
    if (changed.length === 0) return { partner, changed };
    await refuseProtectedChanges(tx, o.staff, partner, after);
    const [updated] = await tx
      .update(partners)
      .set({ ...after, updatedAt: new Date() })
      .where(eq(partners.id, partnerId))
      .returning(partnerColumns);
    await recordAudit(tx, {
      actor: { type: "staff", id: o.staff.id },
      action: "partner.settings_changed",
      entityType: "partner",
      entityId: String(partnerId),
      partnerId,
      before,
      after,
      ip: o.ip,
      requestId: o.requestId,
    });
    return { partner: updated!, changed };
  });
}

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

/**
 * An admin hands a partner to another key account manager. Scopes are read
 * on every request, so the previous owner loses access with their next one.
 */
export async function reassignPartnerOwner(o: PartnerChange<ReassignPartnerInput>) {
  if (o.staff.role !== "admin") throw new AppError("forbidden", "Only admins reassign partners");
  const { partnerId, ownerStaffId } = reassignPartnerSchema.parse(o.input);
  return getDb().transaction(async (tx) => {
    const partner = await lockManagedPartner(tx, o.staff, partnerId);
    if (partner.ownerStaffId === ownerStaffId) throw AppError.field("conflict", "ownerStaffId", "This key account manager already owns the partner");
    const kam = await requireActiveKam(tx, ownerStaffId);
    const [previous] = partner.ownerStaffId
      ? await tx.select({ email: staffUsers.email }).from(staffUsers).where(eq(staffUsers.id, partner.ownerStaffId))
      : [];
    await tx.update(partners).set({ ownerStaffId, updatedAt: new Date() }).where(eq(partners.id, partnerId));
    await recordAudit(tx, {
      actor: { type: "staff", id: o.staff.id },
      action: "partner.owner_changed",
      entityType: "partner",
      entityId: String(partnerId),
      partnerId,
      before: { ownerStaffId: partner.ownerStaffId, ownerEmail: previous?.email ?? null },
      after: { ownerStaffId, ownerEmail: kam.email },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: partnerId, owner: kam };
  });
}
