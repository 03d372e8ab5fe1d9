import { eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { clients, kycEvents, kycVerifications, partners } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import type { KycProviderName } from "./schemas";
import { transition, type KycEvent, type KycState } from "./state-machine";

/** The columns of a verification the services work with. */
export const verificationColumns = {
  id: kycVerifications.id,
  clientId: kycVerifications.clientId,
  partnerId: kycVerifications.partnerId,
  provider: kycVerifications.provider,
  applicantId: kycVerifications.applicantId,
  levelName: kycVerifications.levelName,
  reviewStatus: kycVerifications.reviewStatus,
  reviewAnswer: kycVerifications.reviewAnswer,
  rejectType: kycVerifications.rejectType,
  rejectLabels: kycVerifications.rejectLabels,
  moderationComment: kycVerifications.moderationComment,
  clientComment: kycVerifications.clientComment,
  lastEventAtMs: kycVerifications.lastEventAtMs,
  statusChangedAt: kycVerifications.statusChangedAt,
};

export type VerificationRow = {
  id: string;
  clientId: string;
  partnerId: number;
  provider: KycProviderName;
  applicantId: string | null;
  levelName: string | null;
} & KycState & { statusChangedAt: Date };

/** The client's verification, locked for the rest of the transaction. */
async function lockVerificationOfClient(tx: Tx, clientId: string): Promise<VerificationRow | undefined> {
  const [row] = await tx
    .select(verificationColumns)
    .from(kycVerifications)
    .where(eq(kycVerifications.clientId, clientId))
    .for("update");
  return row;
}

/**
 * The client's verification, created (with the given provider) when the
 * client has none yet, and locked. Concurrent callers end up with the same row.
 */
export async function ensureVerification(
  tx: Tx,
  o: { clientId: string; partnerId: number; provider: KycProviderName },
): Promise<VerificationRow> {
  await tx
    .insert(kycVerifications)
    .values({ clientId: o.clientId, partnerId: o.partnerId, provider: o.provider })
    .onConflictDoNothing({ target: kycVerifications.clientId });
  return (await lockVerificationOfClient(tx, o.clientId))!;
}

export interface ApplyInput {
  verification: VerificationRow;
  event: KycEvent;
  source: "provider" | "staff";
  /** The event's identity; a second event with the same key is a duplicate. */
  eventKey: string;
  correlationId?: string | null;
  payloadSha256?: string | null;
  payload?: unknown;
}

export type ApplyOutcome = "applied" | "stale" | "duplicate";

/**
 * Runs one event through the state machine inside the given transaction
 * (which holds the verification's lock): records it in kyc_events, and when
 * it applies, updates the verification, the client's status and level, and
 * the audit log, as the caller's doing (the provider's system actor, or the
 * staff member deciding).
 */
export async function applyKycEvent(
  tx: Tx,
  caller: Caller,
  o: ApplyInput,
): Promise<{ outcome: ApplyOutcome; state: KycState }> {
  const v = o.verification;
  const [client] = await tx
    .select({
      verificationStatus: clients.verificationStatus,
      verificationLevel: clients.verificationLevel,
      emailConfirmedAt: clients.emailConfirmedAt,
      approvedLevel: partners.kycApprovedLevel,
    })
    .from(clients)
    .innerJoin(partners, eq(partners.id, clients.partnerId))
    .where(eq(clients.id, v.clientId))
    .for("update", { of: clients });
  if (!client) throw new Error(`verification ${v.id} has no client`);

  const result = transition(v, o.event, {
    verificationStatus: client.verificationStatus,
    verificationLevel: client.verificationLevel,
    emailConfirmed: client.emailConfirmedAt !== null,
    approvedLevel: client.approvedLevel,
  });
  const review = o.event.type === "applicantReviewed" ? o.event.review : undefined;
  const staffId = o.source === "staff" && caller.actor.type === "staff" ? caller.actor.id : null;
  const inserted = await tx
    .insert(kycEvents)
    .values({
      verificationId: v.id,
      clientId: v.clientId,
      source: o.source,
      eventType: o.event.type,
      eventKey: o.eventKey,
      correlationId: o.correlationId ?? null,
      payloadSha256: o.payloadSha256 ?? null,
      createdAtMs: o.event.createdAtMs,
      outcome: result.outcome,
      reviewAnswer: review?.reviewAnswer ?? null,
      rejectType: review?.reviewAnswer === "RED" ? (review.rejectType ?? "RETRY") : null,
      rejectLabels: review?.rejectLabels ?? [],
      moderationComment: review?.moderationComment ?? null,
      clientComment: review?.clientComment ?? null,
      payload: o.payload ?? null,
      staffId,
    })
    .onConflictDoNothing({ target: kycEvents.eventKey })
    .returning({ id: kycEvents.id });
  if (inserted.length === 0) return { outcome: "duplicate", state: v };
  if (result.outcome === "stale") return { outcome: "stale", state: v };

  const next = result.state;
  const statusChanged =
    next.reviewStatus !== v.reviewStatus || next.reviewAnswer !== v.reviewAnswer || next.rejectType !== v.rejectType;
  await tx
    .update(kycVerifications)
    .set({
      reviewStatus: next.reviewStatus,
      reviewAnswer: next.reviewAnswer,
      rejectType: next.rejectType,
      rejectLabels: next.rejectLabels,
      moderationComment: next.moderationComment,
      clientComment: next.clientComment,
      lastEventAtMs: next.lastEventAtMs,
      ...(statusChanged ? { statusChangedAt: sql`now()` } : {}),
      ...(o.event.type === "applicantReviewed" ? { decidedByStaffId: staffId } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(kycVerifications.id, v.id));
  if (result.client) {
    await tx
      .update(clients)
      .set({ ...result.client, updatedAt: new Date() })
      .where(eq(clients.id, v.clientId));
  }
  if (o.event.type === "applicantReviewed" || result.client) {
    await recordAudit(tx, caller, {
      action: o.source === "staff" ? "kyc.staff_decision" : "kyc.provider_verdict",
      entityType: "client",
      entityId: v.clientId,
      partnerId: v.partnerId,
      before: {
        reviewStatus: v.reviewStatus,
        reviewAnswer: v.reviewAnswer,
        rejectType: v.rejectType,
        verificationStatus: client.verificationStatus,
        verificationLevel: client.verificationLevel,
      },
      after: {
        event: o.event.type,
        provider: v.provider,
        reviewStatus: next.reviewStatus,
        reviewAnswer: next.reviewAnswer,
        rejectType: next.rejectType,
        rejectLabels: next.rejectLabels,
        moderationComment: next.moderationComment,
        verificationStatus: result.client?.verificationStatus ?? client.verificationStatus,
        verificationLevel: result.client?.verificationLevel ?? client.verificationLevel,
      },
    });
  }
  return { outcome: "applied", state: next };
}
