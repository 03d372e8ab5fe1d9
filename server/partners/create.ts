import type { z } from "zod";
import { getDb, type Executor } from "../../db/client";
import { partners } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller, StaffActor } from "../caller";
import { AppError } from "../errors";
import { partnerColumns, type Partner } from "./lookup";
import { requireActiveKam } from "./ownership";
import type { createPartnerSchema } from "./schemas";
import { refuseQuotasOff } from "./settings";

/**
 * Who creates a partner or a master key: a staff member in the back office,
 * held to the rules of their role, or the system (the CLI, first start, the
 * demo seed), which an operator runs and which is not. Anyone else is
 * refused. Returns the staff member, or undefined for the system.
 */
export function creatingStaff(caller: Caller): StaffActor | undefined {
  if (caller.actor.type === "staff") return caller.actor;
  if (caller.actor.type === "system") return undefined;
  throw new AppError("forbidden", "Only staff and the system add partners and master keys");
}

/**
 * Adds a partner. A KAM owns what they add; an admin (or the system) may name
 * an active KAM as its owner, or leave it without one. The partnerId comes
 * from an identity column, so an id is never issued twice, even after a
 * rollback. Pass `db` (an open transaction) to create the partner together
 * with other rows, as the CLI and first start do with its first master key.
 */
export async function createPartner(
  caller: Caller,
  input: z.output<typeof createPartnerSchema>,
  db?: Executor,
): Promise<Partner> {
  const { ownerStaffId: requestedOwner, ...settings } = input;
  const staff = creatingStaff(caller);
  if (staff) {
    if (staff.role === "kam" && requestedOwner && requestedOwner !== staff.id) {
      throw AppError.field("forbidden", "ownerStaffId", "Only admins choose another key account manager as the owner");
    }
    if (staff.role !== "kam" && staff.role !== "admin")
      throw new AppError("forbidden", "Only key account managers and admins add partners");
    // A KAM may start a partner as a sandbox (it has no clients yet); a live one keeps its quotas on.
    if (staff.role === "kam" && !settings.sandbox) refuseQuotasOff(settings);
  }
  const create = async (tx: Executor) => {
    const ownerStaffId =
      staff?.role === "kam" ? staff.id : requestedOwner ? (await requireActiveKam(tx, requestedOwner)).id : null;
    const [row] = await tx
      .insert(partners)
      .values({ ...settings, ownerStaffId })
      .returning(partnerColumns);
    const partner = row!;
    await recordAudit(tx, caller, {
      action: "partner.create",
      entityType: "partner",
      entityId: String(partner.id),
      partnerId: partner.id,
      after: partner,
    });
    return partner;
  };
  return db ? create(db) : getDb().transaction(create);
}
