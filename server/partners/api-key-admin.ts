import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { apiKeys, partners, staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { mayManagePartner } from "../auth/policies";
import { AppError } from "../errors";
import { lockManagedPartner } from "./admin";
import { createMasterKey, type CreatedMasterKey } from "./api-keys";
import type { PartnerManager } from "./directory";
import { apiKeyTargetSchema, createApiKeySchema, partnerTargetSchema, type CreateApiKeyInput } from "./schemas";

/** The API keys page: a partner's master keys, issued and revoked by its KAM or an admin. */

interface KeyChange<I> {
  staff: PartnerManager;
  input: I;
  ip?: string | null;
  requestId?: string | null;
}

/** A partner's master keys, newest first. Hashes stay on the server: only the visible prefix is listed. */
export async function listApiKeys(o: { staff: PartnerManager; partnerId: number }) {
  const { partnerId } = partnerTargetSchema.parse({ partnerId: o.partnerId });
  const db = getDb();
  const [partner] = await db.select({ ownerStaffId: partners.ownerStaffId }).from(partners).where(eq(partners.id, partnerId));
  if (!partner || !mayManagePartner(o.staff, partner.ownerStaffId)) throw new AppError("not_found", "No such partner");
  const rows = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdById: apiKeys.createdByStaffId,
      createdByName: staffUsers.name,
    })
    .from(apiKeys)
    .leftJoin(staffUsers, eq(staffUsers.id, apiKeys.createdByStaffId))
    .where(eq(apiKeys.partnerId, partnerId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map(({ createdById, createdByName, ...key }) => ({ ...key, createdBy: createdById ? { id: createdById, name: createdByName ?? "" } : null }));
}
export type ApiKeyListItem = Awaited<ReturnType<typeof listApiKeys>>[number];

/**
 * Issues a master key for a partner. The whole key is in the answer this
 * once; only its SHA-256 and a short prefix are stored. It works at once.
 */
export async function issueApiKey(o: KeyChange<CreateApiKeyInput>): Promise<CreatedMasterKey> {
  const { partnerId, name } = createApiKeySchema.parse(o.input);
  return getDb().transaction(async (tx) => {
    // For share: the owner cannot change under us, and keys for one partner are still issued side by side.
    await lockManagedPartner(tx, o.staff, partnerId, "share");
    return createMasterKey(tx, { partnerId, name, createdByStaffId: o.staff.id, actor: { type: "staff", id: o.staff.id }, ip: o.ip, requestId: o.requestId });
  });
}

/**
 * Revokes a master key. Every public request looks its key up in the
 * database (nothing caches it), so the very next call with it is refused,
 * and that use is audited as api_key.revoked_use.
 */
export async function revokeApiKey(o: KeyChange<{ keyId: string }>) {
  const { keyId } = apiKeyTargetSchema.parse(o.input);
  return getDb().transaction(async (tx) => {
    const [key] = await tx
      .select({ id: apiKeys.id, partnerId: apiKeys.partnerId, name: apiKeys.name, prefix: apiKeys.prefix, revokedAt: apiKeys.revokedAt, ownerStaffId: partners.ownerStaffId })
      .from(apiKeys)
      .innerJoin(partners, eq(partners.id, apiKeys.partnerId))
      .where(eq(apiKeys.id, keyId))
      .for("update", { of: apiKeys });
    if (!key || !mayManagePartner(o.staff, key.ownerStaffId)) throw new AppError("not_found", "No such API key");
    if (key.revokedAt) throw AppError.field("conflict", "keyId", "This key is already revoked");
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ revokedAt: apiKeys.revokedAt });
    await recordAudit(tx, {
      actor: { type: "staff", id: o.staff.id },
      action: "api_key.revoke",
      entityType: "api_key",
      entityId: keyId,
      partnerId: key.partnerId,
      before: { name: key.name, prefix: key.prefix, revokedAt: null },
      after: { name: key.name, prefix: key.prefix, revokedAt: revoked!.revokedAt },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: keyId, partnerId: key.partnerId, revokedAt: revoked!.revokedAt! };
  });
}
