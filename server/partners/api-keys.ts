import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import { apiKeys, partners, staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { mayManagePartner } from "../auth/policies";
import { callerAs, staffOf, type Caller } from "../caller";
import { randomToken, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { consumeQuota, peekQuota, secondsUntil, windowFor } from "../quotas/quota";
import { creatingStaff } from "./create";
import { lockManagedPartner } from "./ownership";
import type { ApiKeyTarget, CreateApiKeyInput, PartnerTarget } from "./schemas";

/**
 * Master API keys: issued to a partner (by its KAM or an admin in the back
 * office, or by the system), listed by prefix, revoked, and checked on every
 * public request that presents one.
 */

const KEY_PREFIX = "ghk_";
const VISIBLE_PREFIX_LENGTH = 12;
// last_used_at is informative: writing it on every request would turn reads into writes.
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreatedMasterKey {
  id: string;
  partnerId: number;
  name: string;
  prefix: string;
  /** The whole key: shown once, never stored. */
  key: string;
}

/**
 * Issues a master key for a partner. The whole key is in the answer this
 * once; only its SHA-256 and a short prefix are stored. It works at once. A
 * staff member issues keys only for partners they manage; pass `db` (an open
 * transaction) to issue it together with the partner.
 */
export async function createMasterKey(
  caller: Caller,
  input: CreateApiKeyInput,
  db?: Executor,
): Promise<CreatedMasterKey> {
  const { partnerId, name } = input;
  const staff = creatingStaff(caller);
  const create = async (tx: Executor) => {
    // For share: the owner cannot change under us, and keys for one partner are still issued side by side.
    if (staff) await lockManagedPartner(tx, caller, partnerId, "share");
    const key = KEY_PREFIX + randomToken(32);
    const prefix = key.slice(0, VISIBLE_PREFIX_LENGTH);
    const [row] = await tx
      .insert(apiKeys)
      .values({ partnerId, name, prefix, keyHash: sha256Hex(key), createdByStaffId: staff?.id ?? null })
      .returning({ id: apiKeys.id });
    await recordAudit(tx, caller, {
      action: "api_key.create",
      entityType: "api_key",
      entityId: row!.id,
      partnerId,
      after: { name, prefix },
    });
    return { id: row!.id, partnerId, name, prefix, key };
  };
  return db ? create(db) : getDb().transaction(create);
}

/** A partner's master keys, newest first. Hashes stay on the server: only the visible prefix is listed. */
export async function listApiKeys(caller: Caller, input: PartnerTarget) {
  const { partnerId } = input;
  const db = getDb();
  const [partner] = await db
    .select({ ownerStaffId: partners.ownerStaffId })
    .from(partners)
    .where(eq(partners.id, partnerId));
  if (!partner || !mayManagePartner(staffOf(caller), partner.ownerStaffId))
    throw new AppError("not_found", "No such partner");
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
  return rows.map(({ createdById, createdByName, ...key }) => ({
    ...key,
    createdBy: createdById ? { id: createdById, name: createdByName ?? "" } : null,
  }));
}

/**
 * Failed presentations of well-formed master keys per client IP per window.
 * The keys are 256-bit random, so guessing is hopeless anyway; the limit stops
 * one address hammering the key lookup and turns it into one audit event. It is
 * per IP, so the key's holder calling from elsewhere is never refused, and it
 * ends with its window (never a lock a stranger could make permanent).
 */
export const MASTER_KEY_FAILURES_PER_IP = 30;
export const MASTER_KEY_WINDOW_SECONDS = 15 * 60;

export interface AuthenticatedKey {
  keyId: string;
  partnerId: number;
}

/**
 * Finds the partner a master key belongs to; revoked and unknown keys are
 * refused alike. The caller is the request presenting it: failures count
 * against its address, and are audited as the anonymous request (or, for a
 * revoked key, as that key).
 */
export async function authenticateMasterKey(
  db: Executor,
  caller: Caller,
  rawKey: string,
  now: Date = new Date(),
): Promise<AuthenticatedKey> {
  const refused = new AppError("invalid_api_key", "The API key is not valid", {
    fields: [{ path: "Authorization", message: "Unknown or revoked API key" }],
  });
  // Malformed keys are refused without a lookup, so they are not counted either.
  if (!rawKey.startsWith(KEY_PREFIX) || rawKey.length > 200) throw refused;
  const failureScope = `master-key-fail-ip:${caller.ip ?? "unknown"}`;
  // Checked before the lookup: answering a valid key here would tell a guesser it found one.
  const failures = await peekQuota(db, { scope: failureScope, windowSeconds: MASTER_KEY_WINDOW_SECONDS, now });
  if (failures >= MASTER_KEY_FAILURES_PER_IP) throw keyThrottled(now);
  const failed = async () => {
    const counted = await consumeQuota(db, {
      scope: failureScope,
      limit: MASTER_KEY_FAILURES_PER_IP,
      windowSeconds: MASTER_KEY_WINDOW_SECONDS,
      now,
    });
    if (counted.count === MASTER_KEY_FAILURES_PER_IP) {
      await recordAudit(db, callerAs(caller, { type: "anonymous" }), {
        action: "api_key.failures_throttled",
        after: { failures: counted.count, windowSeconds: MASTER_KEY_WINDOW_SECONDS },
      });
    }
    return refused;
  };
  const [row] = await db
    .select({ id: apiKeys.id, partnerId: apiKeys.partnerId, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, sha256Hex(rawKey)));
  if (!row) throw await failed();
  if (row.revokedAt) {
    // Audited at most once a minute per key (through last_used_at), so a client
    // hammering with an old key cannot flood the audit log.
    const noted = await touchLastUsed(db, row.id);
    if (noted)
      await recordAudit(db, callerAs(caller, { type: "api_key", id: row.id, partnerId: row.partnerId }), {
        action: "api_key.revoked_use",
        entityType: "api_key",
        entityId: row.id,
        partnerId: row.partnerId,
      });
    throw await failed();
  }
  await touchLastUsed(db, row.id);
  return { keyId: row.id, partnerId: row.partnerId };
}

function keyThrottled(now: Date): AppError {
  const end = windowFor(now, MASTER_KEY_WINDOW_SECONDS).end;
  return new AppError("too_many_attempts", "Too many unknown or revoked API keys from this address; try again later", {
    retryAfterSeconds: secondsUntil(end, now),
    fields: [{ path: "Authorization", message: "Too many failed API keys from this address" }],
    details: { limit: MASTER_KEY_FAILURES_PER_IP, windowSeconds: MASTER_KEY_WINDOW_SECONDS },
  });
}

/** Sets last_used_at unless it was set within the last minute (and after any revocation); true when it did. */
async function touchLastUsed(db: Executor, keyId: string): Promise<boolean> {
  const updated = await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date() })
    .where(
      and(
        eq(apiKeys.id, keyId),
        // The first use after a revocation is always noted, however recent the last use before it.
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, new Date(Date.now() - LAST_USED_RESOLUTION_MS)),
          lt(apiKeys.lastUsedAt, apiKeys.revokedAt),
        ),
      ),
    )
    .returning({ id: apiKeys.id });
  return updated.length > 0;
}

/** Accepts "Bearer <key>" or the bare key, as integrators send either. */
export function masterKeyFromAuthorization(header: string | null): string | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const match = /^Bearer\s+(.+)$/i.exec(value);
  return (match ? match[1]! : value).trim() || undefined;
}

/**
 * Revokes a master key. Every public request looks its key up in the
 * database (nothing caches it), so the very next call with it is refused,
 * and that use is audited as api_key.revoked_use.
 */
export async function revokeApiKey(caller: Caller, input: ApiKeyTarget) {
  const { keyId } = input;
  return getDb().transaction(async (tx) => {
    const [key] = await tx
      .select({
        id: apiKeys.id,
        partnerId: apiKeys.partnerId,
        name: apiKeys.name,
        prefix: apiKeys.prefix,
        revokedAt: apiKeys.revokedAt,
        ownerStaffId: partners.ownerStaffId,
      })
      .from(apiKeys)
      .innerJoin(partners, eq(partners.id, apiKeys.partnerId))
      .where(eq(apiKeys.id, keyId))
      .for("update", { of: apiKeys });
    if (!key || !mayManagePartner(staffOf(caller), key.ownerStaffId))
      throw new AppError("not_found", "No such API key");
    if (key.revokedAt) throw AppError.field("conflict", "keyId", "This key is already revoked");
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ revokedAt: apiKeys.revokedAt });
    await recordAudit(tx, caller, {
      action: "api_key.revoke",
      entityType: "api_key",
      entityId: keyId,
      partnerId: key.partnerId,
      before: { name: key.name, prefix: key.prefix, revokedAt: null },
      after: { name: key.name, prefix: key.prefix, revokedAt: revoked!.revokedAt },
    });
    return { id: keyId, partnerId: key.partnerId, revokedAt: revoked!.revokedAt! };
  });
}
