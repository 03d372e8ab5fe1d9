import type { ProcedureOutputs } from "@/server/api/server-caller";

/** Words for the KYC states and events, shared by the decision page and the client page. */

type VerificationHistory = ProcedureOutputs["kyc"]["get"];
export type CurrentVerification = NonNullable<VerificationHistory["verification"]>;
export type HistoryEvent = VerificationHistory["events"][number];

const eventLabels: Record<string, string> = {
  applicantCreated: "Applicant created",
  applicantPending: "Documents submitted",
  applicantOnHold: "Put on hold",
  applicantReviewed: "Reviewed",
  applicantReset: "Reset",
};
export const eventLabel = (type: string) => eventLabels[type] ?? type;

/** The verification's state in a few words: "Approved", "Rejected (final)", "Pending review". */
export function stateLabel(v: Pick<CurrentVerification, "reviewStatus" | "reviewAnswer" | "rejectType">): string {
  if (v.reviewStatus === "completed") {
    if (v.reviewAnswer === "GREEN") return "Approved";
    return v.rejectType === "FINAL" ? "Rejected (final)" : "Rejected (may retry)";
  }
  return { init: "Started, nothing submitted yet", pending: "Pending review", onHold: "On hold" }[v.reviewStatus];
}

/** The verdict of one event: "Approved", "Rejected (retry)", or null for events without one. */
export function verdictLabel(e: Pick<HistoryEvent, "reviewAnswer" | "rejectType">): string | null {
  if (e.reviewAnswer === "GREEN") return "Approved";
  if (e.reviewAnswer === "RED") return e.rejectType === "FINAL" ? "Rejected (final)" : "Rejected (retry)";
  return null;
}

/**
 * Sumsub's common reject labels (its documentation lists more); any other
 * label can be typed in.
 */
export const COMMON_REJECT_LABELS = [
  "DOCUMENT_PAGE_MISSING",
  "INCOMPLETE_DOCUMENT",
  "UNSATISFACTORY_PHOTOS",
  "DOCUMENT_DAMAGED",
  "EXPIRATION_DATE",
  "BAD_PROOF_OF_IDENTITY",
  "BAD_PROOF_OF_ADDRESS",
  "BAD_SELFIE",
  "SELFIE_MISMATCH",
  "FORGERY",
  "GRAPHIC_EDITOR",
  "DUPLICATE",
  "UNDERAGE_PERSON",
  "WRONG_USER_REGION",
] as const;
