import { and, eq } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import { partners, staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { mayManagePartner } from "../auth/policies";
import { staffOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { partnerColumns, type Partner } from "./lookup";
import type { ReassignPartnerInput } from "./schemas";

/**
 * Who manages a partner: its owning key account manager (or an admin). Every
 * change a manager makes to a partner (settings, status, owner, master keys)
 * starts by locking the partner as theirs here, and is one audited transaction.
 */

/**
 * Locks the partner row for the rest of the transaction, so two people
 * changing one partner are serialised and each sees the other's result.
 * Partners the calling staff member does not manage do not exist for them.
 */
export async function lockManagedPartner(
  tx: Executor,
  caller: Caller,
  partnerId: number,
  strength: "update" | "share" = "update",
): Promise<Partner> {
  const [row] = await tx.select(partnerColumns).from(partners).where(eq(partners.id, partnerId)).for(strength);
  if (!row || !mayManagePartner(staffOf(caller), row.ownerStaffId)) throw new AppError("not_found", "No such partner");
  return row;
}

/**
 * The key account manager a partner may be given: an active KAM. The row is
 * locked for share, so the account cannot be deactivated or change role
 * until the assignment has committed.
 */
export async function requireActiveKam(tx: Executor, staffId: string, field = "ownerStaffId") {
  const [kam] = await tx
    .select({ id: staffUsers.id, name: staffUsers.name, email: staffUsers.email })
    .from(staffUsers)
    .where(and(eq(staffUsers.id, staffId), eq(staffUsers.role, "kam"), eq(staffUsers.active, true)))
    .for("share");
  if (!kam) throw AppError.field("validation_failed", field, "Choose an active key account manager");
  return kam;
}

/**
 * An admin hands a partner to another key account manager. Scopes are read
 * on every request, so the previous owner loses access with their next one.
 */
export async function reassignPartnerOwner(caller: Caller, input: ReassignPartnerInput) {
  if (staffOf(caller).role !== "admin") throw new AppError("forbidden", "Only admins reassign partners");
  const { partnerId, ownerStaffId } = input;
  return getDb().transaction(async (tx) => {
    const partner = await lockManagedPartner(tx, caller, partnerId);
    if (partner.ownerStaffId === ownerStaffId)
      throw AppError.field("conflict", "ownerStaffId", "This key account manager already owns the partner");
    const kam = await requireActiveKam(tx, ownerStaffId);
    const [previous] = partner.ownerStaffId
      ? await tx.select({ email: staffUsers.email }).from(staffUsers).where(eq(staffUsers.id, partner.ownerStaffId))
      : [];
    await tx.update(partners).set({ ownerStaffId, updatedAt: new Date() }).where(eq(partners.id, partnerId));
    await recordAudit(tx, caller, {
      action: "partner.owner_changed",
      entityType: "partner",
      entityId: String(partnerId),
      partnerId,
      before: { ownerStaffId: partner.ownerStaffId, ownerEmail: previous?.email ?? null },
      after: { ownerStaffId, ownerEmail: kam.email },
    });
    return { id: partnerId, owner: kam };
  });
}
