import { config } from "../config";
import type { ReviewResult, ReviewStatus } from "./state-machine";
import { sandboxProvider } from "./sandbox-provider";
import { SumsubClient } from "./sumsub-client";

/** What Gatehouse needs from an identity-verification provider. */
export interface KycProvider {
  readonly name: "SUMSUB" | "SANDBOX";
  /** Creates (or finds) the applicant whose externalUserId is the client's id. */
  createApplicant(o: { externalUserId: string; levelName: string }): Promise<{ applicantId: string }>;
  /** A token for the provider's SDK (or the sandbox page), bound to one applicant. */
  createAccessToken(o: { externalUserId: string; applicantId: string; levelName: string; ttlSeconds: number }): Promise<{ token: string }>;
  /** The applicant's review as the provider sees it now. */
  getApplicantReview(applicantId: string): Promise<ApplicantReview>;
}

export interface ApplicantReview {
  applicantId: string;
  externalUserId: string | null;
  levelName: string | null;
  reviewStatus: ReviewStatus | string;
  reviewResult: ReviewResult | null;
}

let sumsub: SumsubClient | undefined;

/** Sumsub when SUMSUB_APP_TOKEN is configured, else the built-in sandbox. */
export function kycProvider(): KycProvider {
  const c = config();
  if (c.kycProvider === "SANDBOX") return sandboxProvider;
  sumsub ??= new SumsubClient({ baseUrl: c.SUMSUB_BASE_URL, appToken: c.SUMSUB_APP_TOKEN!, secretKey: c.SUMSUB_SECRET_KEY ?? "" });
  return sumsub;
}
