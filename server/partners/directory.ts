import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import { partners, staffUsers } from "../../db/schema";
import { mayManagePartner, type PartnerScope, type Role } from "../auth/policies";
import { AppError } from "../errors";
import { createPartner, partnerColumns, type Partner } from "./partners";
import { refuseQuotasOff } from "./protected-settings";
import { createPartnerSchema, type CreatePartnerInput } from "./schemas";

/** The Partners page's view: which partners a staff member manages, and adding one. */

export interface PartnerManager {
  id: string;
  role: Role;
}

/**
 * Client counts stop here: counting a partner's million clients for a list
 * would read a million index entries, and "1,000+" tells a KAM enough.
 */
export const CLIENT_COUNT_CAP = 1000;

const cappedClientCount = sql<number>`(select count(*)::int from (select 1 from clients c where c.partner_id = ${partners.id} limit ${CLIENT_COUNT_CAP + 1}) capped)`;

const listColumns = {
  id: partners.id,
  name: partners.name,
  status: partners.status,
  sandbox: partners.sandbox,
  captchaRequired: partners.captchaRequired,
  createdAt: partners.createdAt,
  ownerStaffId: partners.ownerStaffId,
  ownerName: staffUsers.name,
  ownerEmail: staffUsers.email,
  clientCount: cappedClientCount,
};

/**
 * The partners a staff member may see on the Partners page: all of them for
 * an admin, their own for a KAM. Partners are tens or hundreds, not
 * millions, so the list is not paginated.
 */
export async function listPartners(scope: PartnerScope) {
  if (scope.partnerIds !== undefined && scope.partnerIds.length === 0) return [];
  const q = getDb().select(listColumns).from(partners).leftJoin(staffUsers, eq(staffUsers.id, partners.ownerStaffId));
  const rows = await (scope.partnerIds === undefined ? q : q.where(inArray(partners.id, scope.partnerIds))).orderBy(asc(sql`lower(${partners.name})`), asc(partners.id));
  return rows.map(({ ownerStaffId, ownerName, ownerEmail, clientCount, ...row }) => ({
    ...row,
    owner: ownerStaffId ? { id: ownerStaffId, name: ownerName ?? "", email: ownerEmail ?? "" } : null,
    clientCount: Math.min(clientCount, CLIENT_COUNT_CAP),
    clientCountCapped: clientCount > CLIENT_COUNT_CAP,
  }));
}
export type PartnerListItem = Awaited<ReturnType<typeof listPartners>>[number];

/** One partner with its settings and owner, for a staff member who manages it; others are told it does not exist. */
export async function getPartner(o: { staff: PartnerManager; partnerId: number }) {
  const [row] = await getDb()
    .select({ ...partnerColumns, createdAt: partners.createdAt, updatedAt: partners.updatedAt, ownerName: staffUsers.name, ownerEmail: staffUsers.email, clientCount: cappedClientCount })
    .from(partners)
    .leftJoin(staffUsers, eq(staffUsers.id, partners.ownerStaffId))
    .where(eq(partners.id, o.partnerId));
  if (!row || !mayManagePartner(o.staff, row.ownerStaffId)) throw new AppError("not_found", "No such partner");
  const { ownerName, ownerEmail, clientCount, ...partner } = row;
  return {
    ...partner,
    owner: partner.ownerStaffId ? { id: partner.ownerStaffId, name: ownerName ?? "", email: ownerEmail ?? "" } : null,
    clientCount: Math.min(clientCount, CLIENT_COUNT_CAP),
    clientCountCapped: clientCount > CLIENT_COUNT_CAP,
  };
}
export type PartnerDetail = Awaited<ReturnType<typeof getPartner>>;

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
 * A KAM adds a partner and owns it; an admin may name an active KAM as its
 * owner, or leave it without one. The partnerId comes from an identity
 * column, so an id is never issued twice, even after a rollback.
 */
export async function addPartner(o: { staff: PartnerManager; input: CreatePartnerInput; ip?: string | null; requestId?: string | null }): Promise<Partner> {
  const { ownerStaffId: requestedOwner, ...settings } = createPartnerSchema.parse(o.input);
  if (o.staff.role === "kam" && requestedOwner && requestedOwner !== o.staff.id) {
    throw AppError.field("forbidden", "ownerStaffId", "Only admins choose another key account manager as the owner");
  }
  if (o.staff.role !== "kam" && o.staff.role !== "admin") throw new AppError("forbidden", "Only key account managers and admins add partners");
  // A KAM may start a partner as a sandbox (it has no clients yet); a live one keeps its quotas on.
  if (o.staff.role === "kam" && !settings.sandbox) refuseQuotasOff(settings);
  return getDb().transaction(async (tx) => {
    const ownerStaffId = o.staff.role === "kam" ? o.staff.id : requestedOwner ? (await requireActiveKam(tx, requestedOwner)).id : null;
    return createPartner(tx, { input: settings, ownerStaffId, actor: { type: "staff", id: o.staff.id }, ip: o.ip, requestId: o.requestId });
  });
}
