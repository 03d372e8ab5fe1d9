import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { recordAudit, type Actor } from "../audit/record";
import { randomToken, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { consumeQuota, peekQuota, secondsUntil, windowFor } from "../quotas/quota";

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

export async function createMasterKey(
  db: Executor,
  o: { partnerId: number; name: string; createdByStaffId?: string | null; actor: Actor; ip?: string | null; requestId?: string | null },
): Promise<CreatedMasterKey> {
  const key = KEY_PREFIX + randomToken(32);
  const prefix = key.slice(0, VISIBLE_PREFIX_LENGTH);
  const [row] = await db
    .insert(apiKeys)
    .values({ partnerId: o.partnerId, name: o.name, prefix, keyHash: sha256Hex(key), createdByStaffId: o.createdByStaffId ?? null })
    .returning({ id: apiKeys.id });
  await recordAudit(db, {
    actor: o.actor,
    action: "api_key.create",
    entityType: "api_key",
    entityId: row!.id,
    partnerId: o.partnerId,
    after: { name: o.name, prefix },
    ip: o.ip,
    requestId: o.requestId,
  });
  return { id: row!.id, partnerId: o.partnerId, name: o.name, prefix, key };
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

/** Finds the partner a master key belongs to; revoked and unknown keys are refused alike. */
export async function authenticateMasterKey(db: Executor, rawKey: string, audit: { ip?: string | null; requestId?: string | null; now?: Date }): Promise<AuthenticatedKey> {
  const refused = new AppError("invalid_api_key", "The API key is not valid", { fields: [{ path: "Authorization", message: "Unknown or revoked API key" }] });
  // Malformed keys are refused without a lookup, so they are not counted either.
  if (!rawKey.startsWith(KEY_PREFIX) || rawKey.length > 200) throw refused;
  const now = audit.now ?? new Date();
  const failureScope = `master-key-fail-ip:${audit.ip ?? "unknown"}`;
  // Checked before the lookup: answering a valid key here would tell a guesser it found one.
  const failures = await peekQuota(db, { scope: failureScope, windowSeconds: MASTER_KEY_WINDOW_SECONDS, now });
  if (failures >= MASTER_KEY_FAILURES_PER_IP) throw keyThrottled(now);
  const failed = async () => {
    const counted = await consumeQuota(db, { scope: failureScope, limit: MASTER_KEY_FAILURES_PER_IP, windowSeconds: MASTER_KEY_WINDOW_SECONDS, now });
    if (counted.count === MASTER_KEY_FAILURES_PER_IP) {
      await recordAudit(db, { actor: { type: "anonymous" }, action: "api_key.failures_throttled", after: { failures: counted.count, windowSeconds: MASTER_KEY_WINDOW_SECONDS }, ip: audit.ip, requestId: audit.requestId });
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
    if (noted) await recordAudit(db, {
      actor: { type: "api_key", id: row.id },
      action: "api_key.revoked_use",
      entityType: "api_key",
      entityId: row.id,
      partnerId: row.partnerId,
      ip: audit.ip,
      requestId: audit.requestId,
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
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(Date.now() - LAST_USED_RESOLUTION_MS)), lt(apiKeys.lastUsedAt, apiKeys.revokedAt)),
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
