import { asc, eq, inArray, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { partners, staffUsers } from "../../db/schema";
import { scopeOf, type Caller } from "../caller";
import { cappedClientCount, CLIENT_COUNT_CAP } from "./lookup";

/** Listing the partners a staff member may see: the Partners page's list, and the choices of pickers and filters. */

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
 * The partners the caller may see on the Partners page: all of them for
 * an admin, their own for a KAM. Partners are tens or hundreds, not
 * millions, so the list is not paginated.
 */
export async function listPartners(caller: Caller) {
  const scope = scopeOf(caller);
  if (scope.partnerIds !== undefined && scope.partnerIds.length === 0) return [];
  const q = getDb().select(listColumns).from(partners).leftJoin(staffUsers, eq(staffUsers.id, partners.ownerStaffId));
  const rows = await (scope.partnerIds === undefined ? q : q.where(inArray(partners.id, scope.partnerIds))).orderBy(
    asc(sql`lower(${partners.name})`),
    asc(partners.id),
  );
  return rows.map(({ ownerStaffId, ownerName, ownerEmail, clientCount, ...row }) => ({
    ...row,
    owner: ownerStaffId ? { id: ownerStaffId, name: ownerName ?? "", email: ownerEmail ?? "" } : null,
    clientCount: Math.min(clientCount, CLIENT_COUNT_CAP),
    clientCountCapped: clientCount > CLIENT_COUNT_CAP,
  }));
}

/** Partners the caller may see, for pickers and filters. */
export async function listPartnerOptions(caller: Caller) {
  const scope = scopeOf(caller);
  const q = getDb()
    .select({
      id: partners.id,
      name: partners.name,
      sandbox: partners.sandbox,
      status: partners.status,
      defaultCurrency: partners.defaultCurrency,
    })
    .from(partners);
  const rows =
    scope.partnerIds === undefined
      ? await q.orderBy(asc(partners.name))
      : scope.partnerIds.length === 0
        ? []
        : await q.where(inArray(partners.id, scope.partnerIds)).orderBy(asc(partners.name));
  return rows;
}
