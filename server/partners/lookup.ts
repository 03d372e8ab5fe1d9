import { eq, sql } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import type { PartnerStatus } from "../../db/enums";
import { partners, staffUsers } from "../../db/schema";
import { mayManagePartner } from "../auth/policies";
import { staffOf, type Caller } from "../caller";
import { AppError } from "../errors";
import type { PartnerTarget } from "./schemas";

/** Finding one partner: for a public request (active ones only), for a service, or for the staff member who manages it. */

export const partnerColumns = {
  id: partners.id,
  name: partners.name,
  status: partners.status,
  sandbox: partners.sandbox,
  captchaRequired: partners.captchaRequired,
  quotaPerIpHour: partners.quotaPerIpHour,
  quotaTotalHour: partners.quotaTotalHour,
  allowedUserTypes: partners.allowedUserTypes,
  defaultCurrency: partners.defaultCurrency,
  kycApprovedLevel: partners.kycApprovedLevel,
  ownerStaffId: partners.ownerStaffId,
};

export type Partner = {
  id: number;
  name: string;
  status: PartnerStatus;
  sandbox: boolean;
  captchaRequired: boolean;
  quotaPerIpHour: number;
  quotaTotalHour: number;
  allowedUserTypes: string[];
  defaultCurrency: string;
  kycApprovedLevel: number;
  ownerStaffId: string | null;
  /** The partner's first white-label host (hosts.ts), when it was read with the partner: null for none, undefined when not read. */
  baseHost?: string | null;
};

export async function findPartnerById(db: Executor, id: number): Promise<Partner | undefined> {
  const [row] = await db.select(partnerColumns).from(partners).where(eq(partners.id, id));
  return row;
}

/** The first host partnerBaseUrl (hosts.ts) would read, in the same query as the partner: its links need no second one. */
const baseHost = sql<
  string | null
>`(select h.host from partner_hosts h where h.partner_id = ${partners.id} order by h.created_at, h.host limit 1)`;

/** The partner a public request (or a registration by staff) acts for, refused when unknown or suspended; `field` names where the id came from. */
export async function requireActivePartner(id: number, field = "partnerId"): Promise<Partner> {
  const [partner] = await getDb()
    .select({ ...partnerColumns, baseHost })
    .from(partners)
    .where(eq(partners.id, id));
  if (!partner) throw AppError.field("partner_not_found", field, `No partner has id ${id}`);
  if (partner.status !== "active")
    throw AppError.field("partner_suspended", field, "This partner is suspended; contact its key account manager");
  return partner;
}

/**
 * Client counts stop here: counting a partner's million clients for a list
 * would read a million index entries, and "1,000+" tells a KAM enough.
 */
export const CLIENT_COUNT_CAP = 1000;

export const cappedClientCount = sql<number>`(select count(*)::int from (select 1 from clients c where c.partner_id = ${partners.id} limit ${CLIENT_COUNT_CAP + 1}) capped)`;

/** One partner with its settings and owner, for the staff member who manages it; others are told it does not exist. */
export async function getPartner(caller: Caller, input: PartnerTarget) {
  const [row] = await getDb()
    .select({
      ...partnerColumns,
      createdAt: partners.createdAt,
      updatedAt: partners.updatedAt,
      ownerName: staffUsers.name,
      ownerEmail: staffUsers.email,
      clientCount: cappedClientCount,
    })
    .from(partners)
    .leftJoin(staffUsers, eq(staffUsers.id, partners.ownerStaffId))
    .where(eq(partners.id, input.partnerId));
  if (!row || !mayManagePartner(staffOf(caller), row.ownerStaffId)) throw new AppError("not_found", "No such partner");
  const { ownerName, ownerEmail, clientCount, ...partner } = row;
  return {
    ...partner,
    owner: partner.ownerStaffId ? { id: partner.ownerStaffId, name: ownerName ?? "", email: ownerEmail ?? "" } : null,
    clientCount: Math.min(clientCount, CLIENT_COUNT_CAP),
    clientCountCapped: clientCount > CLIENT_COUNT_CAP,
  };
}
