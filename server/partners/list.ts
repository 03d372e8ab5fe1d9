import { asc, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { partners } from "../../db/schema";
import type { PartnerScope } from "../auth/policies";

/** Partners a staff member may see, for pickers and filters. */
export async function listPartnerOptions(scope: PartnerScope) {
  const q = getDb().select({ id: partners.id, name: partners.name, sandbox: partners.sandbox, status: partners.status, defaultCurrency: partners.defaultCurrency }).from(partners);
  const rows = scope.partnerIds === undefined ? await q.orderBy(asc(partners.name)) : scope.partnerIds.length === 0 ? [] : await q.where(inArray(partners.id, scope.partnerIds)).orderBy(asc(partners.name));
  return rows;
}
