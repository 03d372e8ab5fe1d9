import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { clients, kycVerifications } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { clientOf, type Caller } from "../caller";
import { config } from "../../env";
import { AppError } from "../errors";
import { ensureVerification, verificationColumns, type VerificationRow } from "./apply";
import { findPartnerById } from "../partners/lookup";
import { kycProviderFor } from "./provider";
import type { VerificationStarted, VerificationState } from "./schemas";
import { submissionBlock } from "./state-machine";

/** How long an SDK access token lasts. */
const ACCESS_TOKEN_TTL_SECONDS = 1800;

function refuseBlocked(v: Pick<VerificationRow, "reviewStatus" | "reviewAnswer" | "rejectType">): void {
  const block = submissionBlock(v);
  if (block === "approved") throw new AppError("verification_already_approved", "Your identity is already verified");
  if (block === "final")
    throw new AppError(
      "verification_rejected_final",
      "The verification was rejected and cannot be submitted again; contact support",
    );
}

/**
 * POST /reg/verification: makes sure the calling client has an applicant
 * with the partner's provider (kycProviderFor) and returns a fresh SDK
 * access token for it. Refused once approved or after a final rejection;
 * after RED+RETRY the same applicant resubmits.
 */
export async function startVerification(caller: Caller): Promise<VerificationStarted> {
  const client = clientOf(caller);
  const partner = await findPartnerById(getDb(), client.partnerId);
  if (!partner) throw new AppError("not_found", "No such client");
  const levelName = config().SUMSUB_LEVEL_NAME;
  const [current] = await getDb()
    .select(verificationColumns)
    .from(kycVerifications)
    .where(eq(kycVerifications.clientId, client.id));
  if (current) refuseBlocked(current);
  const provider = kycProviderFor(partner);

  let applicantId = current?.provider === provider.name ? current.applicantId : null;
  let level = current?.provider === provider.name ? (current.levelName ?? levelName) : levelName;
  if (applicantId === null) {
    // The provider call happens outside the transaction; Sumsub answers a repeat with the existing applicant.
    const created = await provider.createApplicant({ externalUserId: client.id, levelName });
    const kept = await getDb().transaction(async (tx) => {
      const row = await ensureVerification(tx, {
        clientId: client.id,
        partnerId: client.partnerId,
        provider: provider.name,
      });
      refuseBlocked(row);
      // A concurrent request attached an applicant first: use that one.
      if (row.provider === provider.name && row.applicantId !== null)
        return { applicantId: row.applicantId, levelName: row.levelName ?? levelName };
      await tx
        .update(kycVerifications)
        .set({
          provider: provider.name,
          applicantId: created.applicantId,
          levelName,
          // A new applicant starts a new attempt; the earlier verdicts stay in kyc_events.
          reviewStatus: "init",
          reviewAnswer: null,
          rejectType: null,
          rejectLabels: [],
          moderationComment: null,
          clientComment: null,
          statusChangedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(eq(kycVerifications.id, row.id));
      await recordAudit(tx, caller, {
        action: "kyc.applicant_created",
        entityType: "client",
        entityId: client.id,
        partnerId: client.partnerId,
        before: row.applicantId ? { provider: row.provider, applicantId: row.applicantId } : null,
        after: { provider: provider.name, applicantId: created.applicantId, levelName },
      });
      return { applicantId: created.applicantId, levelName };
    });
    applicantId = kept.applicantId;
    level = kept.levelName;
  }

  const { token } = await provider.createAccessToken({
    externalUserId: client.id,
    applicantId,
    levelName: level,
    ttlSeconds: ACCESS_TOKEN_TTL_SECONDS,
  });
  return {
    type: "SUMSUB",
    provider: provider.name,
    token,
    userId: client.id,
    applicantId,
    levelName: level,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    sandboxUrl: provider.name === "SANDBOX" ? `${config().APP_URL}/kyc-sandbox/${encodeURIComponent(token)}` : null,
  };
}

/** GET /reg/verification: what the calling client may know of their verification (never the staff-only clientComment). */
export async function getVerificationState(caller: Caller): Promise<VerificationState> {
  const clientId = clientOf(caller).id;
  const [row] = await getDb()
    .select({
      verificationStatus: clients.verificationStatus,
      verificationLevel: clients.verificationLevel,
      provider: kycVerifications.provider,
      applicantId: kycVerifications.applicantId,
      levelName: kycVerifications.levelName,
      reviewStatus: kycVerifications.reviewStatus,
      reviewAnswer: kycVerifications.reviewAnswer,
      rejectType: kycVerifications.rejectType,
      rejectLabels: kycVerifications.rejectLabels,
      moderationComment: kycVerifications.moderationComment,
    })
    .from(clients)
    .leftJoin(kycVerifications, eq(kycVerifications.clientId, clients.id))
    .where(eq(clients.id, clientId));
  if (!row) throw new AppError("not_found", "No such client");
  const started = row.reviewStatus !== null;
  return {
    status: row.reviewStatus ?? "not_started",
    provider: row.provider,
    applicantId: row.applicantId,
    levelName: row.levelName,
    answer: row.reviewAnswer,
    rejectType: row.rejectType,
    rejectLabels: row.rejectLabels ?? [],
    moderationComment: row.moderationComment,
    canSubmit:
      !started ||
      submissionBlock({
        reviewStatus: row.reviewStatus!,
        reviewAnswer: row.reviewAnswer,
        rejectType: row.rejectType,
      }) === null,
    verificationStatus: row.verificationStatus,
    verificationLevel: row.verificationLevel,
  };
}
