import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { getDb } from "../../db/client";
import { clients, kycEvents, kycVerifications, partners, staffUsers } from "../../db/schema";
import { assertInScope } from "../auth/policies";
import { scopeOf, staffOf, type Caller } from "../caller";
import type { ClientTarget } from "../clients/schemas";
import { AppError } from "../errors";
import { timeCursor, timeKeyOf } from "../keyset";
import { applyKycEvent, ensureVerification } from "./apply";
import type { decisionSchema, KycProviderName, ReviewQueueFilters } from "./schemas";
import type { KycState, RejectType, ReviewAnswer, ReviewStatus } from "./state-machine";

/**
 * The back office's side of KYC: the review queue, a client's history, and
 * staff decisions, which go through the same state machine as provider
 * verdicts.
 */

export interface DecisionResult {
  clientId: string;
  outcome: "applied";
  state: KycState;
  verificationStatus: string;
  verificationLevel: number;
}

/** Approves or rejects (retry or final) a client's verification as a staff member, audited with that actor. */
export async function decideVerification(
  caller: Caller,
  input: z.output<typeof decisionSchema>,
): Promise<DecisionResult> {
  staffOf(caller);
  return getDb().transaction(async (tx) => {
    const [client] = await tx
      .select({ id: clients.id, partnerId: clients.partnerId })
      .from(clients)
      .where(eq(clients.id, input.clientId));
    if (!client) throw new AppError("not_found", "No such client");
    assertInScope(scopeOf(caller), client.partnerId);
    const verification = await ensureVerification(tx, {
      clientId: client.id,
      partnerId: client.partnerId,
      provider: "MANUAL",
    });
    const answer: ReviewAnswer = input.decision === "approve" ? "GREEN" : "RED";
    if (verification.reviewStatus === "completed" && verification.reviewAnswer === "GREEN" && answer === "GREEN") {
      throw AppError.field("conflict", "decision", "The verification is already approved");
    }
    // A staff decision is the newest word even when the provider's clock runs ahead of ours.
    const createdAtMs = Math.max(Date.now(), (verification.lastEventAtMs ?? 0) + 1);
    const { state } = await applyKycEvent(tx, caller, {
      verification,
      event: {
        type: "applicantReviewed",
        createdAtMs,
        review: {
          reviewAnswer: answer,
          rejectType: input.rejectType ?? null,
          rejectLabels: input.labels,
          moderationComment: input.moderationComment || null,
          clientComment: input.clientComment || null,
        },
      },
      source: "staff",
      eventKey: `staff:${randomUUID()}`,
      payload: { decision: input.decision, rejectType: input.rejectType ?? null, labels: input.labels },
    });
    const [after] = await tx
      .select({ verificationStatus: clients.verificationStatus, verificationLevel: clients.verificationLevel })
      .from(clients)
      .where(eq(clients.id, client.id));
    return {
      clientId: client.id,
      outcome: "applied",
      state,
      verificationStatus: after!.verificationStatus,
      verificationLevel: after!.verificationLevel,
    };
  });
}

interface ReviewQueueItem {
  clientId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  partnerId: number;
  partnerName: string;
  provider: KycProviderName;
  applicantId: string | null;
  queue: "pending" | "onHold" | "retry";
  reviewStatus: ReviewStatus;
  rejectType: RejectType | null;
  rejectLabels: string[];
  /** Since when the verification has been in this state: the queue's age. */
  waitingSince: Date;
}

export interface ReviewQueuePage {
  items: ReviewQueueItem[];
  nextCursor: string | null;
}

// Microsecond text, as the database compares it (a JavaScript Date would round and skip rows).
const waitingKey = timeKeyOf(kycVerifications.statusChangedAt);

const inRetry = and(
  eq(kycVerifications.reviewStatus, "completed"),
  eq(kycVerifications.reviewAnswer, "RED"),
  eq(kycVerifications.rejectType, "RETRY"),
)!;
const QUEUE_CONDITION: Record<ReviewQueueItem["queue"], SQL> = {
  pending: eq(kycVerifications.reviewStatus, "pending"),
  onHold: eq(kycVerifications.reviewStatus, "onHold"),
  retry: inRetry,
};

/** Verifications waiting for a decision (pending, on hold, rejected with retry), oldest first, within the staff member's scope. */
export async function listReviewQueue(caller: Caller, f: ReviewQueueFilters): Promise<ReviewQueuePage> {
  const scope = scopeOf(caller);
  const where: SQL[] = [
    f.queue ? QUEUE_CONDITION[f.queue] : or(QUEUE_CONDITION.pending, QUEUE_CONDITION.onHold, QUEUE_CONDITION.retry)!,
  ];
  if (scope.partnerIds !== undefined) {
    if (scope.partnerIds.length === 0) return { items: [], nextCursor: null };
    where.push(inArray(kycVerifications.partnerId, scope.partnerIds));
  }
  if (f.partnerId !== undefined) where.push(eq(kycVerifications.partnerId, f.partnerId));
  if (f.cursor) {
    const c = timeCursor.uuid.decode(f.cursor);
    where.push(
      sql`(${kycVerifications.statusChangedAt}, ${kycVerifications.id}) > (${c.k}::timestamptz, ${c.id}::uuid)`,
    );
  }
  const rows = await getDb()
    .select({
      clientId: kycVerifications.clientId,
      email: clients.email,
      firstName: clients.firstName,
      lastName: clients.lastName,
      partnerId: kycVerifications.partnerId,
      partnerName: partners.name,
      provider: kycVerifications.provider,
      applicantId: kycVerifications.applicantId,
      reviewStatus: kycVerifications.reviewStatus,
      rejectType: kycVerifications.rejectType,
      rejectLabels: kycVerifications.rejectLabels,
      waitingSince: kycVerifications.statusChangedAt,
      id: kycVerifications.id,
      key: waitingKey,
    })
    .from(kycVerifications)
    .innerJoin(clients, eq(clients.id, kycVerifications.clientId))
    .innerJoin(partners, eq(partners.id, kycVerifications.partnerId))
    .where(and(...where))
    .orderBy(asc(kycVerifications.statusChangedAt), asc(kycVerifications.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ id: _id, key: _key, ...r }) => ({
      ...r,
      queue: r.reviewStatus === "completed" ? "retry" : (r.reviewStatus as "pending" | "onHold"),
    })),
    nextCursor: rows.length > f.limit && last ? timeCursor.uuid.encode({ k: last.key, id: last.id }) : null,
  };
}

interface VerificationHistoryEvent {
  id: number;
  source: "provider" | "staff";
  eventType: string;
  outcome: "applied" | "stale";
  /** The event's own time (createdAtMs). */
  occurredAt: Date;
  receivedAt: Date;
  reviewAnswer: ReviewAnswer | null;
  rejectType: RejectType | null;
  rejectLabels: string[];
  moderationComment: string | null;
  clientComment: string | null;
  staff: { id: string; name: string; email: string } | null;
}

export interface VerificationHistory {
  clientId: string;
  partnerId: number;
  verification: {
    provider: KycProviderName;
    applicantId: string | null;
    levelName: string | null;
    reviewStatus: ReviewStatus;
    reviewAnswer: ReviewAnswer | null;
    rejectType: RejectType | null;
    rejectLabels: string[];
    moderationComment: string | null;
    clientComment: string | null;
    statusChangedAt: Date;
    decidedBy: { id: string; name: string; email: string } | null;
  } | null;
  /** Newest first. */
  events: VerificationHistoryEvent[];
}

/** A client's verification and every event received for it, for staff (clientComment included). */
export async function getVerificationHistory(caller: Caller, input: ClientTarget): Promise<VerificationHistory> {
  const clientId = input.id;
  const db = getDb();
  const [client] = await db
    .select({ id: clients.id, partnerId: clients.partnerId })
    .from(clients)
    .where(eq(clients.id, clientId));
  if (!client) throw new AppError("not_found", "No such client");
  assertInScope(scopeOf(caller), client.partnerId);
  const [v] = await db
    .select({
      provider: kycVerifications.provider,
      applicantId: kycVerifications.applicantId,
      levelName: kycVerifications.levelName,
      reviewStatus: kycVerifications.reviewStatus,
      reviewAnswer: kycVerifications.reviewAnswer,
      rejectType: kycVerifications.rejectType,
      rejectLabels: kycVerifications.rejectLabels,
      moderationComment: kycVerifications.moderationComment,
      clientComment: kycVerifications.clientComment,
      statusChangedAt: kycVerifications.statusChangedAt,
      staffId: staffUsers.id,
      staffName: staffUsers.name,
      staffEmail: staffUsers.email,
    })
    .from(kycVerifications)
    .leftJoin(staffUsers, eq(staffUsers.id, kycVerifications.decidedByStaffId))
    .where(eq(kycVerifications.clientId, clientId));
  const events = await db
    .select({
      id: kycEvents.id,
      source: kycEvents.source,
      eventType: kycEvents.eventType,
      outcome: kycEvents.outcome,
      createdAtMs: kycEvents.createdAtMs,
      receivedAt: kycEvents.receivedAt,
      reviewAnswer: kycEvents.reviewAnswer,
      rejectType: kycEvents.rejectType,
      rejectLabels: kycEvents.rejectLabels,
      moderationComment: kycEvents.moderationComment,
      clientComment: kycEvents.clientComment,
      staffId: staffUsers.id,
      staffName: staffUsers.name,
      staffEmail: staffUsers.email,
    })
    .from(kycEvents)
    .leftJoin(staffUsers, eq(staffUsers.id, kycEvents.staffId))
    .where(eq(kycEvents.clientId, clientId))
    .orderBy(desc(kycEvents.receivedAt), desc(kycEvents.id));
  const memberOf = (r: { staffId: string | null; staffName: string | null; staffEmail: string | null }) =>
    r.staffId ? { id: r.staffId, name: r.staffName ?? "", email: r.staffEmail ?? "" } : null;
  return {
    clientId,
    partnerId: client.partnerId,
    verification: v
      ? {
          provider: v.provider,
          applicantId: v.applicantId,
          levelName: v.levelName,
          reviewStatus: v.reviewStatus,
          reviewAnswer: v.reviewAnswer,
          rejectType: v.rejectType,
          rejectLabels: v.rejectLabels,
          moderationComment: v.moderationComment,
          clientComment: v.clientComment,
          statusChangedAt: v.statusChangedAt,
          decidedBy: memberOf(v),
        }
      : null,
    events: events.map(({ createdAtMs, staffId, staffName, staffEmail, ...e }) => ({
      ...e,
      occurredAt: new Date(createdAtMs),
      staff: memberOf({ staffId, staffName, staffEmail }),
    })),
  };
}
