import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { clients } from "../../db/schema";
import type { Role } from "../auth/policies";
import { AppError } from "../errors";
import type { Partner } from "./partners";
import type { PartnerSettings } from "./schemas";

/**
 * Settings that decide whether a partner's clients are real: sandbox mode
 * (every email code is 12345, identities are self-approved, money can be
 * minted) and quotas turned off on a live partner. Only an admin changes
 * them, and a partner that already has clients registered while live never
 * becomes a sandbox (its clients would become self-approvable).
 */
export async function refuseProtectedChanges(tx: Tx, staff: { role: Role }, partner: Partner, after: Partial<PartnerSettings>): Promise<void> {
  if (after.sandbox !== undefined && staff.role !== "admin") {
    throw AppError.field("forbidden", "sandbox", "Only an admin turns sandbox mode on or off");
  }
  if (after.sandbox === true) {
    const [client] = await tx.select({ id: clients.id }).from(clients).where(eq(clients.partnerId, partner.id)).limit(1);
    if (client) throw AppError.field("conflict", "sandbox", "This partner has clients registered while live: a partner with live clients cannot become a sandbox");
  }
  const live = !(after.sandbox ?? partner.sandbox);
  if (live && staff.role !== "admin") refuseQuotasOff(after);
}

/** On a live partner, a quota of 0 (off) is an admin's decision. */
export function refuseQuotasOff(settings: Partial<Pick<PartnerSettings, "quotaPerIpHour" | "quotaTotalHour">>): void {
  for (const key of ["quotaPerIpHour", "quotaTotalHour"] as const) {
    if (settings[key] === 0) throw AppError.field("forbidden", key, "Only an admin turns a live partner's quota off (0)");
  }
}
