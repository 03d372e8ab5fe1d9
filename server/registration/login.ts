import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { clients } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import { AppError } from "../errors";
import type { Partner } from "../partners/lookup";
import { hashPassword, verifyAgainstNothing, verifyStoredPassword } from "../passwords/hasher";
import { consumeQuota, releaseQuota } from "../quotas/quota";
import { signTokens, storeRefreshToken, type IssuedTokens, type TokenFlavour } from "../tokens/refresh-tokens";

/** Failed sign-ins per account before it waits out the window (never a permanent lock). */
export const LOGIN_FAILURES_PER_WINDOW = 10;
export const LOGIN_WINDOW_SECONDS = 15 * 60;
/** Failed sign-ins per IP across all accounts, against credential stuffing. */
export const LOGIN_FAILURES_PER_IP = 100;

/**
 * A client signs in with email and password (partner API password grant,
 * white-label authenticate). Each attempt is counted as a failure, per
 * account and per address, before the password is checked, and given back
 * when it succeeds: however many requests race, no more than the limit ever
 * reach the password check in one window. The session opens from the
 * caller's address and browser.
 */
export async function passwordLogin(
  caller: Caller,
  o: { partner: Partner; email: string; password: string; flavour: TokenFlavour; accessTtlSeconds: number; now?: Date },
): Promise<IssuedTokens> {
  const db = getDb();
  const now = o.now ?? new Date();
  const accountScope = `login-fail:${o.partner.id}:${o.email.toLowerCase()}`;
  // Callers without an address (none reach here over HTTP) share one count rather than escaping it.
  const ipScope = `login-fail-ip:${caller.ip ?? "none"}`;
  const reserved: Array<{ scope: string; windowStart: Date }> = [];
  const releaseAll = () => Promise.all(reserved.map((r) => releaseQuota(db, r)));
  for (const [scope, limit] of [
    [accountScope, LOGIN_FAILURES_PER_WINDOW],
    [ipScope, LOGIN_FAILURES_PER_IP],
  ] as const) {
    const decision = await consumeQuota(db, { scope, limit, windowSeconds: LOGIN_WINDOW_SECONDS, now });
    reserved.push({ scope, windowStart: decision.windowStart });
    if (!decision.allowed) {
      // A refused attempt checks nothing, so it is not counted either.
      await releaseAll();
      // The counts are per fixed window, so the refusal ends with it.
      throw new AppError("too_many_attempts", "Too many failed sign-ins; try again later", {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
  }
  const [client] = await db
    .select({
      id: clients.id,
      partnerId: clients.partnerId,
      email: clients.email,
      countryCode: clients.countryCode,
      userType: clients.userType,
      passwordHash: clients.passwordHash,
      profileState: clients.profileState,
    })
    .from(clients)
    .where(and(eq(clients.partnerId, o.partner.id), sql`lower(${clients.email}) = lower(${o.email})`));
  let expectedHash = client?.passwordHash;
  let check = client ? await verifyStoredPassword(client.passwordHash, o.password) : undefined;
  const ok = check ? check.ok : await verifyAgainstNothing(o.password);
  // A failed check keeps its counted attempts.
  const refuse = async (clientId?: string) => {
    if (clientId) {
      await recordAudit(db, caller, {
        action: "client.sign_in_failed",
        entityType: "client",
        entityId: clientId,
        partnerId: o.partner.id,
      });
    }
    return new AppError("invalid_credentials", "The email or password is not correct");
  };
  if (!client || !ok) throw await refuse(client?.id);
  if (client.profileState !== "active") {
    await releaseAll();
    throw new AppError("account_inactive", `This account is ${client.profileState}`);
  }
  // The hash was read without a lock and argon2 is slow: a password reset may have committed meanwhile. Under
  // the client's share lock (a reset holds it for update while it revokes sessions) the session opens only if
  // the password just checked is still the client's; otherwise the reset would miss the new refresh token.
  // An imported bcrypt hash that verified is replaced by argon2id in the same transaction, under the row lock
  // for update (two share locks both upgrading would deadlock); a sign-in that raced it and finds the new hash
  // checks the password once more against it.
  let stored: Awaited<ReturnType<typeof storeRefreshToken>> | undefined;
  for (let round = 0; round < 2 && check?.ok; round++) {
    const upgraded = check.upgrade ? await hashPassword(o.password) : undefined;
    const outcome = await db.transaction(async (tx) => {
      const [current] = await tx
        .select({ passwordHash: clients.passwordHash, profileState: clients.profileState })
        .from(clients)
        .where(eq(clients.id, client.id))
        .for(upgraded ? "update" : "share");
      if (!current || current.profileState !== "active") return { kind: "refused" as const };
      if (current.passwordHash !== expectedHash) return { kind: "changed" as const, hash: current.passwordHash };
      // updated_at stays: a new hash for the same password is no change staff (or a bulk action) should see.
      if (upgraded) await tx.update(clients).set({ passwordHash: upgraded }).where(eq(clients.id, client.id));
      const token = await storeRefreshToken(tx, caller, {
        subject: client,
        flavour: o.flavour,
        accessTtlSeconds: o.accessTtlSeconds,
      });
      return { kind: "stored" as const, token };
    });
    if (outcome.kind === "stored") stored = outcome.token;
    if (outcome.kind !== "changed") break;
    expectedHash = outcome.hash;
    check = await verifyStoredPassword(outcome.hash, o.password);
  }
  if (!stored) throw await refuse(client.id);
  await releaseAll();
  return signTokens(stored);
}
