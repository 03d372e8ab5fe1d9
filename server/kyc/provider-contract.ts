import type { ReviewResult } from "./state-machine";

/**
 * What Gatehouse needs from an identity-verification provider. A module of
 * its own: the implementations (sumsub-client.ts, sandbox-provider.ts) and
 * the factory that picks one (provider.ts) would otherwise import each other.
 */
export interface KycProvider {
  readonly name: "SUMSUB" | "SANDBOX";
  /** Creates (or finds) the applicant whose externalUserId is the client's id. */
  createApplicant(o: { externalUserId: string; levelName: string }): Promise<{ applicantId: string }>;
  /** A token for the provider's SDK (or the sandbox page), bound to one applicant. */
  createAccessToken(o: {
    externalUserId: string;
    applicantId: string;
    levelName: string;
    ttlSeconds: number;
  }): Promise<{ token: string }>;
  /** The applicant's review as the provider sees it now. */
  getApplicantReview(applicantId: string): Promise<ApplicantReview>;
}

export interface ApplicantReview {
  applicantId: string;
  externalUserId: string | null;
  levelName: string | null;
  /** As the provider says it: one of ReviewStatus, or a status this code does not know yet. */
  reviewStatus: string;
  reviewResult: ReviewResult | null;
}
