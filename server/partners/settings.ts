import { eq } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { clients, partners } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { StaffMember } from "../auth/policies";
import { staffOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { partnerColumns, type Partner } from "./lookup";
import { lockManagedPartner } from "./ownership";
import { PARTNER_SETTING_KEYS, type PartnerSettings, type UpdatePartnerInput } from "./schemas";

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Changes the settings that are sent and differ from the stored ones. The
 * audit event records only those, before and after. Sending nothing new
 * changes nothing and records nothing.
 */
export async function updatePartnerSettings(caller: Caller, input: UpdatePartnerInput) {
  const { partnerId, ...sent } = input;
  return getDb().transaction(async (tx) => {
    const partner = await lockManagedPartner(tx, caller, partnerId);
    const before: Partial<PartnerSettings> = {};
    const after: Partial<PartnerSettings> = {};
    for (const key of PARTNER_SETTING_KEYS) {
      if (sent[key] === undefined || sameValue(sent[key], partner[key])) continue;
      Object.assign(before, { [key]: partner[key] });
      Object.assign(after, { [key]: sent[key] });
    }
    const changed = Object.keys(after) as Array<keyof PartnerSettings>;
    if (changed.length === 0) return { partner, changed };
    await refuseProtectedChanges(tx, staffOf(caller), partner, after);
    const [updated] = await tx
      .update(partners)
      .set({ ...after, updatedAt: new Date() })
      .where(eq(partners.id, partnerId))
      .returning(partnerColumns);
    await recordAudit(tx, caller, {
      action: "partner.settings_changed",
      entityType: "partner",
      entityId: String(partnerId),
      partnerId,
      before,
      after,
    });
    return { partner: updated!, changed };
  });
}

/**
 * Settings that decide whether a partner's clients are real: sandbox mode
 * (every email code is 12345, identities are self-approved, money can be
 * minted) and quotas turned off on a live partner. Only an admin changes
 * them, and a partner that already has clients registered while live never
 * becomes a sandbox (its clients would become self-approvable).
 */
async function refuseProtectedChanges(
  tx: Tx,
  staff: StaffMember,
  partner: Partner,
  after: Partial<PartnerSettings>,
): Promise<void> {
  if (after.sandbox !== undefined && staff.role !== "admin") {
    throw AppError.field("forbidden", "sandbox", "Only an admin turns sandbox mode on or off");
  }
  if (after.sandbox === true) {
    const [client] = await tx
      .select({ id: clients.id })
      .from(clients)
      .where(eq(clients.partnerId, partner.id))
      .limit(1);
    if (client)
      throw AppError.field(
        "conflict",
        "sandbox",
        "This partner has clients registered while live: a partner with live clients cannot become a sandbox",
      );
  }
  const live = !(after.sandbox ?? partner.sandbox);
  if (live && staff.role !== "admin") refuseQuotasOff(after);
}

/** On a live partner, a quota of 0 (off) is an admin's decision. */
export function refuseQuotasOff(settings: Partial<Pick<PartnerSettings, "quotaPerIpHour" | "quotaTotalHour">>): void {
  for (const key of ["quotaPerIpHour", "quotaTotalHour"] as const) {
    if (settings[key] === 0)
      throw AppError.field("forbidden", key, "Only an admin turns a live partner's quota off (0)");
  }
}
