import type { KycEventType } from "./schemas";

/**
 * The one transition function for KYC. Provider webhooks and staff decisions
 * both become a KycEvent and go through `transition`, so a verdict means the
 * same thing whoever gives it. Pure: no clock, no database.
 */

import type { KycRejectType, KycReviewAnswer, KycReviewStatus, VerificationStatus } from "../../db/enums";

export type ReviewStatus = KycReviewStatus;
export type ReviewAnswer = KycReviewAnswer;
export type RejectType = KycRejectType;
type ClientVerificationStatus = VerificationStatus;

export interface KycState {
  reviewStatus: ReviewStatus;
  reviewAnswer: ReviewAnswer | null;
  rejectType: RejectType | null;
  rejectLabels: string[];
  moderationComment: string | null;
  clientComment: string | null;
  /** createdAtMs of the latest applied event. */
  lastEventAtMs: number | null;
}

export interface ReviewResult {
  reviewAnswer: ReviewAnswer;
  /** Only with RED; a RED without one is treated as RETRY (staff can still make it final). */
  rejectType?: RejectType | null;
  rejectLabels?: string[];
  moderationComment?: string | null;
  clientComment?: string | null;
}

export interface KycEvent {
  type: KycEventType;
  createdAtMs: number;
  /** Required for applicantReviewed, ignored otherwise. */
  review?: ReviewResult;
}

/** What the state machine needs to know about the client and its partner. */
export interface ClientFacts {
  verificationStatus: ClientVerificationStatus;
  verificationLevel: number;
  emailConfirmed: boolean;
  /** The partner's kycApprovedLevel. */
  approvedLevel: number;
}

interface ClientUpdate {
  verificationStatus: ClientVerificationStatus;
  verificationLevel: number;
}

export type Transition =
  | { outcome: "applied"; state: KycState; client: ClientUpdate | null }
  | { outcome: "stale"; state: KycState; client: null };

export const INITIAL_STATE: KycState = {
  reviewStatus: "init",
  reviewAnswer: null,
  rejectType: null,
  rejectLabels: [],
  moderationComment: null,
  clientComment: null,
  lastEventAtMs: null,
};

/** A new review phase without a verdict yet (the earlier verdicts stay in the event history). */
function phase(reviewStatus: ReviewStatus, createdAtMs: number): KycState {
  return {
    reviewStatus,
    reviewAnswer: null,
    rejectType: null,
    rejectLabels: [],
    moderationComment: null,
    clientComment: null,
    lastEventAtMs: createdAtMs,
  };
}

function clientUpdateFor(answer: ReviewAnswer, facts: ClientFacts): ClientUpdate | null {
  if (answer === "GREEN") {
    if (facts.verificationStatus === "identified" && facts.verificationLevel === facts.approvedLevel) return null;
    return { verificationStatus: "identified", verificationLevel: facts.approvedLevel };
  }
  // A rejection takes back an identification (including one given earlier by KYC or a master key):
  // the client falls back to what their email confirmation alone gives.
  if (facts.verificationStatus !== "identified") return null;
  return { verificationStatus: facts.emailConfirmed ? "email_verified" : "not_verified", verificationLevel: 0 };
}

export function transition(state: KycState, event: KycEvent, facts: ClientFacts): Transition {
  if (state.lastEventAtMs !== null && event.createdAtMs < state.lastEventAtMs)
    return { outcome: "stale", state, client: null };
  switch (event.type) {
    case "applicantCreated":
    case "applicantReset":
      return { outcome: "applied", state: phase("init", event.createdAtMs), client: null };
    case "applicantPending":
      return { outcome: "applied", state: phase("pending", event.createdAtMs), client: null };
    case "applicantOnHold":
      return { outcome: "applied", state: phase("onHold", event.createdAtMs), client: null };
    case "applicantReviewed": {
      const review = event.review;
      if (!review) throw new Error("applicantReviewed needs a review result");
      const red = review.reviewAnswer === "RED";
      return {
        outcome: "applied",
        state: {
          reviewStatus: "completed",
          reviewAnswer: review.reviewAnswer,
          rejectType: red ? (review.rejectType ?? "RETRY") : null,
          rejectLabels: review.rejectLabels ?? [],
          moderationComment: review.moderationComment ?? null,
          clientComment: review.clientComment ?? null,
          lastEventAtMs: event.createdAtMs,
        },
        client: clientUpdateFor(review.reviewAnswer, facts),
      };
    }
  }
}

/** Whether the client may start or continue a verification: not once approved, not after a final rejection. */
export function submissionBlock(
  state: Pick<KycState, "reviewStatus" | "reviewAnswer" | "rejectType">,
): "approved" | "final" | null {
  if (state.reviewStatus !== "completed") return null;
  if (state.reviewAnswer === "GREEN") return "approved";
  if (state.reviewAnswer === "RED" && state.rejectType === "FINAL") return "final";
  return null;
}
