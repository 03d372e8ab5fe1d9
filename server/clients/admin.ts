import { and, eq } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { clients, refreshTokens } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { inScope, type PartnerScope } from "../auth/policies";
import { scopeOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { revokeClientSessions } from "../tokens/refresh-tokens";
import type { ChangeStateInput, ChangeVerificationInput, RevokeSessionInput } from "./schemas";

/**
 * Locks the client row for the rest of the transaction, so two staff members
 * changing the same client are serialised and each sees the other's result.
 */
async function lockClient(tx: Tx, scope: PartnerScope, clientId: string) {
  const [row] = await tx
    .select({
      id: clients.id,
      partnerId: clients.partnerId,
      profileState: clients.profileState,
      verificationStatus: clients.verificationStatus,
      verificationLevel: clients.verificationLevel,
    })
    .from(clients)
    .where(eq(clients.id, clientId))
    .for("update");
  if (!row || !inScope(scope, row.partnerId)) throw new AppError("not_found", "No such client");
  return row;
}

/**
 * Activates, suspends or blocks a client. Suspending or blocking also ends
 * every session: refresh tokens are revoked, and access tokens stop working
 * because each request checks the client's state.
 */
export async function changeClientState(caller: Caller, input: ChangeStateInput) {
  const { clientId, state, reason } = input;
  return getDb().transaction(async (tx) => {
    const client = await lockClient(tx, scopeOf(caller), clientId);
    if (client.profileState === state) throw AppError.field("conflict", "state", `The client is already ${state}`);
    await tx.update(clients).set({ profileState: state, updatedAt: new Date() }).where(eq(clients.id, clientId));
    const sessionsRevoked = state === "active" ? 0 : await revokeClientSessions(tx, clientId, `client_${state}`);
    await recordAudit(tx, caller, {
      action: "client.state_changed",
      entityType: "client",
      entityId: clientId,
      partnerId: client.partnerId,
      before: { state: client.profileState },
      after: { state, reason, sessionsRevoked },
    });
    return { id: clientId, profileState: state, sessionsRevoked };
  });
}

/** Sets a client's verification status and level by hand (e.g. after an offline check). */
export async function changeClientVerification(caller: Caller, input: ChangeVerificationInput) {
  const { clientId, verificationStatus, verificationLevel, reason } = input;
  return getDb().transaction(async (tx) => {
    const client = await lockClient(tx, scopeOf(caller), clientId);
    if (client.verificationStatus === verificationStatus && client.verificationLevel === verificationLevel) {
      throw new AppError(
        "conflict",
        `The client already has status ${verificationStatus} and level ${verificationLevel}; nothing to change`,
        {
          fields: [
            { path: "verificationStatus", message: "Unchanged" },
            { path: "verificationLevel", message: "Unchanged" },
          ],
        },
      );
    }
    await tx
      .update(clients)
      .set({ verificationStatus, verificationLevel, updatedAt: new Date() })
      .where(eq(clients.id, clientId));
    await recordAudit(tx, caller, {
      action: "client.verification_changed",
      entityType: "client",
      entityId: clientId,
      partnerId: client.partnerId,
      before: { verificationStatus: client.verificationStatus, verificationLevel: client.verificationLevel },
      after: { verificationStatus, verificationLevel, reason },
    });
    return { id: clientId, verificationStatus, verificationLevel };
  });
}

/** Ends one session (a refresh-token family) of a client, or all of them. */
export async function revokeClientSession(caller: Caller, input: RevokeSessionInput) {
  const { clientId, familyId } = input;
  return getDb().transaction(async (tx) => {
    const client = await lockClient(tx, scopeOf(caller), clientId);
    if (familyId) {
      const [known] = await tx
        .select({ id: refreshTokens.id })
        .from(refreshTokens)
        .where(and(eq(refreshTokens.clientId, clientId), eq(refreshTokens.familyId, familyId)))
        .limit(1);
      if (!known) throw AppError.field("not_found", "familyId", "This client has no such session");
    }
    const revoked = await revokeClientSessions(tx, clientId, "staff_revoked", familyId);
    if (revoked === 0) {
      throw new AppError("conflict", familyId ? "This session has already ended" : "The client has no open sessions");
    }
    await recordAudit(tx, caller, {
      action: "client.session_revoked",
      entityType: "client",
      entityId: clientId,
      partnerId: client.partnerId,
      after: { familyId: familyId ?? "all", tokensRevoked: revoked },
    });
    return { id: clientId, familyId: familyId ?? null, tokensRevoked: revoked };
  });
}
