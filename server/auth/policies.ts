import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { partners } from "../../db/schema";
import type { StaffRole } from "../../db/enums";
import { AppError } from "../errors";

export type Role = StaffRole;

/** Who is acting, as the rules below need them: no session, no transport. */
export interface StaffMember {
  id: string;
  role: Role;
}

/**
 * Who may do what to which partner. Admins and operations see every partner;
 * a KAM sees only the partners they own, and those partners' clients, read-only.
 */
export interface PartnerScope {
  /** undefined = every partner. */
  partnerIds: number[] | undefined;
}

export async function partnerScopeOf(staff: StaffMember): Promise<PartnerScope> {
  if (staff.role !== "kam") return { partnerIds: undefined };
  const rows = await getDb().select({ id: partners.id }).from(partners).where(eq(partners.ownerStaffId, staff.id));
  return { partnerIds: rows.map((r) => r.id) };
}

export function inScope(scope: PartnerScope, partnerId: number): boolean {
  return scope.partnerIds === undefined || scope.partnerIds.includes(partnerId);
}

/** Refuses with not_found (not forbidden) so ids outside the scope reveal nothing. */
export function assertInScope(scope: PartnerScope, partnerId: number): void {
  if (!inScope(scope, partnerId)) throw new AppError("not_found", "No such record");
}

/**
 * Who manages a partner (its settings, status and master API keys): admins
 * every partner, a KAM only the partners they own, operations none.
 */
export function mayManagePartner(staff: StaffMember, ownerStaffId: string | null): boolean {
  if (staff.role === "admin") return true;
  return staff.role === "kam" && ownerStaffId !== null && ownerStaffId === staff.id;
}
