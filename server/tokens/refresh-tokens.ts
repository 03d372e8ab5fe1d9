import { and, eq, isNull } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { getDb, type Executor } from "../../db/client";
import { clients, partners, refreshTokens } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { callerAs, type Caller } from "../caller";
import { randomToken, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { signAccessToken, type TokenSubject } from "./access-token";

export const REFRESH_TTL_SECONDS = 30 * 24 * 60 * 60;

export type TokenFlavour = "partner" | "white_label";

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  clientId: string;
}

export interface IssueOptions {
  subject: TokenSubject;
  flavour: TokenFlavour;
  accessTtlSeconds: number;
  familyId?: string;
  parentId?: string;
}

/** A refresh token stored in an open transaction, waiting for its access token. */
export interface StoredTokens {
  refreshToken: string;
  subject: TokenSubject;
  accessTtlSeconds: number;
}

/**
 * Starts (or continues) a refresh-token family in the given transaction; the
 * session remembers the caller's address and user agent. The access token is
 * signed after commit (signTokens): loading signing keys may query the
 * database, and the embedded database runs one transaction at a time.
 */
export async function storeRefreshToken(db: Executor, caller: Caller, o: IssueOptions): Promise<StoredTokens> {
  const refreshToken = randomToken(48);
  await db.insert(refreshTokens).values({
    familyId: o.familyId ?? randomUUID(),
    parentId: o.parentId ?? null,
    clientId: o.subject.id,
    partnerId: o.subject.partnerId,
    tokenHash: sha256Hex(refreshToken),
    flavour: o.flavour,
    expiresAt: new Date(Date.now() + REFRESH_TTL_SECONDS * 1000),
    ip: caller.ip,
    userAgent: caller.userAgent?.slice(0, 300) ?? null,
  });
  return { refreshToken, subject: o.subject, accessTtlSeconds: o.accessTtlSeconds };
}

export async function signTokens(stored: StoredTokens): Promise<IssuedTokens> {
  const accessToken = await signAccessToken(stored.subject, stored.accessTtlSeconds);
  return {
    accessToken,
    refreshToken: stored.refreshToken,
    expiresIn: stored.accessTtlSeconds,
    clientId: stored.subject.id,
  };
}

export interface RotateInput {
  refreshToken: string;
  flavour: TokenFlavour;
  accessTtlSeconds: number;
  /** When the endpoint names a partner, a token of another partner is refused. */
  partnerId?: number;
}

type RotateOutcome = { ok: true; tokens: StoredTokens } | { ok: false; error: AppError };

/**
 * Exchanges a refresh token for a new pair. Every token is single use: a
 * second presentation means it leaked, so the whole family is revoked. The
 * caller is the request presenting it; the token names the client.
 */
export async function rotateRefreshToken(caller: Caller, o: RotateInput): Promise<IssuedTokens> {
  const invalid = new AppError("refresh_token_invalid", "The refresh token is not valid");
  const outcome = await getDb().transaction(async (tx): Promise<RotateOutcome> => {
    const tokenHash = sha256Hex(o.refreshToken);
    // The client's row is locked before the token's, in the order a password reset takes them (client for
    // update, then its tokens): a rotation either ends before the reset revokes the sessions, so the new token
    // is revoked with them, or waits for it and finds its token revoked. The other order deadlocks the two.
    const [named] = await tx
      .select({ clientId: refreshTokens.clientId })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash));
    if (!named) return { ok: false, error: invalid };
    const [locked] = await tx
      .select({ id: clients.id })
      .from(clients)
      .where(eq(clients.id, named.clientId))
      .for("share");
    if (!locked) return { ok: false, error: invalid };
    const [row] = await tx
      .select({
        id: refreshTokens.id,
        familyId: refreshTokens.familyId,
        clientId: refreshTokens.clientId,
        partnerId: refreshTokens.partnerId,
        expiresAt: refreshTokens.expiresAt,
        rotatedAt: refreshTokens.rotatedAt,
        revokedAt: refreshTokens.revokedAt,
      })
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .for("update");
    if (!row || (o.partnerId !== undefined && row.partnerId !== o.partnerId)) return { ok: false, error: invalid };
    if (row.revokedAt) return { ok: false, error: invalid };
    if (row.rotatedAt) {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date(), revokedReason: "reuse_detected" })
        .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
      await recordAudit(tx, callerAs(caller, { type: "client", id: row.clientId, partnerId: row.partnerId }), {
        action: "refresh_token.reuse_detected",
        entityType: "client",
        entityId: row.clientId,
        partnerId: row.partnerId,
        after: { familyId: row.familyId },
      });
      return {
        ok: false,
        error: new AppError(
          "refresh_token_reused",
          "This refresh token was already used; every session it belonged to has been ended",
        ),
      };
    }
    if (row.expiresAt.getTime() <= Date.now())
      return {
        ok: false,
        error: new AppError("refresh_token_expired", "The refresh token has expired; sign in again"),
      };
    const [found] = await tx
      .select({
        client: {
          id: clients.id,
          partnerId: clients.partnerId,
          email: clients.email,
          countryCode: clients.countryCode,
          userType: clients.userType,
          profileState: clients.profileState,
        },
        partnerStatus: partners.status,
      })
      .from(clients)
      .innerJoin(partners, eq(partners.id, clients.partnerId))
      .where(eq(clients.id, row.clientId));
    if (!found) return { ok: false, error: invalid };
    const { client } = found;
    // A suspended partner's clients keep their tokens but cannot extend them, as they cannot register or sign in.
    if (found.partnerStatus !== "active")
      return {
        ok: false,
        error: new AppError("partner_suspended", "This partner is suspended; contact its key account manager"),
      };
    if (client.profileState !== "active")
      return { ok: false, error: new AppError("account_inactive", `This account is ${client.profileState}`) };
    await tx.update(refreshTokens).set({ rotatedAt: new Date() }).where(eq(refreshTokens.id, row.id));
    const tokens = await storeRefreshToken(tx, caller, {
      subject: client,
      flavour: o.flavour,
      accessTtlSeconds: o.accessTtlSeconds,
      familyId: row.familyId,
      parentId: row.id,
    });
    return { ok: true, tokens };
  });
  if (!outcome.ok) throw outcome.error;
  return signTokens(outcome.tokens);
}

/** Ends one session family (or all of a client's) at once. */
export async function revokeClientSessions(
  db: Executor,
  clientId: string,
  reason: string,
  familyId?: string,
): Promise<number> {
  const where = familyId
    ? and(eq(refreshTokens.clientId, clientId), eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt))
    : and(eq(refreshTokens.clientId, clientId), isNull(refreshTokens.revokedAt));
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(where)
    .returning({ id: refreshTokens.id });
  return rows.length;
}
