import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Tx } from "../../db/client";
import { clients, kycVerifications, partners } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { callerAs, type Caller } from "../caller";
import { config } from "../../env";
import { sha256Hex } from "../crypto";
import { AppError, fieldErrorsFromIssues } from "../errors";
import { log } from "../log";
import { applyKycEvent, ensureVerification, verificationColumns } from "./apply";
import {
  KYC_EVENT_TYPES,
  webhookPayloadSchema,
  type KycEventType,
  type WebhookAck,
  type WebhookPayload,
} from "./schemas";
import { verifyPayloadDigest } from "./signing";

export interface WebhookDelivery {
  rawBody: string;
  /** X-Payload-Digest */
  digest: string | null;
  /** X-Payload-Digest-Alg */
  algorithm: string | null;
}

const isTracked = (type: string): type is KycEventType => (KYC_EVENT_TYPES as readonly string[]).includes(type);

/** A webhook's identity: the same event delivered twice has the same key, however its JSON is laid out. */
function webhookEventKey(p: Pick<WebhookPayload, "applicantId" | "type" | "createdAtMs" | "correlationId">): string {
  return `provider:${sha256Hex([p.applicantId, p.type, String(p.createdAtMs), p.correlationId ?? ""].join("\u0000"))}`;
}

async function refuse(caller: Caller, d: WebhookDelivery, reason: string): Promise<never> {
  // Recorded outside any transaction: the refusal must leave a trace even though nothing else happens.
  await recordAudit(getDb(), caller, {
    action: "kyc.webhook_signature_failed",
    entityType: "kyc_webhook",
    after: {
      reason,
      algorithm: d.algorithm?.slice(0, 40) ?? null,
      bodyBytes: Buffer.byteLength(d.rawBody),
      bodySha256: sha256Hex(d.rawBody),
    },
  });
  if (reason === "algorithm_missing" || reason === "algorithm_unsupported") {
    throw AppError.field(
      "webhook_digest_alg_unsupported",
      "X-Payload-Digest-Alg",
      reason === "algorithm_missing"
        ? "X-Payload-Digest-Alg is required"
        : "X-Payload-Digest-Alg must be HMAC_SHA1_HEX, HMAC_SHA256_HEX or HMAC_SHA512_HEX",
    );
  }
  throw AppError.field(
    "webhook_signature_invalid",
    "X-Payload-Digest",
    reason === "digest_missing" ? "X-Payload-Digest is required" : "X-Payload-Digest does not match the body",
  );
}

async function isSandboxClient(tx: Tx, clientId: string): Promise<boolean> {
  const [row] = await tx
    .select({ sandbox: partners.sandbox })
    .from(clients)
    .innerJoin(partners, eq(partners.id, clients.partnerId))
    .where(eq(clients.id, clientId));
  return row?.sandbox === true;
}

/**
 * Handles one KYC webhook (from Sumsub, or from the sandbox provider, which
 * signs its own the same way): digest check on the raw body, then the state
 * machine. Idempotent: a redelivery, a stale event, an untracked type or an
 * unknown applicant is acknowledged without changing anything. The caller is
 * whoever sent it, unauthenticated until the digest matches; a verdict is
 * then the provider's doing.
 */
export async function handleSumsubWebhook(caller: Caller, d: WebhookDelivery): Promise<WebhookAck> {
  const check = verifyPayloadDigest(config().sumsubWebhookSecret, d.rawBody, d.digest, d.algorithm);
  if (!check.ok) return refuse(caller, d, check.reason);

  let json: unknown;
  try {
    json = JSON.parse(d.rawBody);
  } catch {
    throw new AppError("invalid_json", "The body is not valid JSON", {
      fields: [{ path: "(body)", message: "Malformed JSON" }],
    });
  }
  const parsed = webhookPayloadSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError("validation_failed", "The webhook is not valid", {
      fields: fieldErrorsFromIssues(parsed.error.issues),
    });
  const payload = parsed.data;
  if (!isTracked(payload.type)) return { ok: true, result: "ignored" };

  return getDb().transaction(async (tx) => {
    const [found] = await tx
      .select(verificationColumns)
      .from(kycVerifications)
      .where(
        and(
          eq(kycVerifications.applicantId, payload.applicantId),
          inArray(kycVerifications.provider, ["SUMSUB", "SANDBOX"]),
        ),
      )
      .for("update");
    let verification = found;
    if (!verification && z.uuid().safeParse(payload.externalUserId).success) {
      // An applicant created on the provider's side (its SDK can do that) for one of our clients.
      const [client] = await tx
        .select({ id: clients.id, partnerId: clients.partnerId, sandbox: partners.sandbox })
        .from(clients)
        .innerJoin(partners, eq(partners.id, clients.partnerId))
        .where(eq(clients.id, payload.externalUserId!));
      if (client) {
        const partnerProvider = client.sandbox ? "SANDBOX" : "SUMSUB";
        const row = await ensureVerification(tx, {
          clientId: client.id,
          partnerId: client.partnerId,
          provider: partnerProvider,
        });
        if (row.applicantId === null || row.provider === "MANUAL") {
          const provider = row.provider === "MANUAL" ? partnerProvider : row.provider;
          await tx
            .update(kycVerifications)
            .set({ applicantId: payload.applicantId, provider, levelName: payload.levelName ?? row.levelName })
            .where(eq(kycVerifications.id, row.id));
          verification = { ...row, applicantId: payload.applicantId, provider };
        } else if (row.applicantId === payload.applicantId) verification = row;
      }
    }
    if (!verification) {
      log.warn("kyc webhook for an unknown applicant", {
        applicantId: payload.applicantId,
        type: payload.type,
        requestId: caller.requestId,
      });
      return { ok: true, result: "ignored" } as const;
    }
    if (verification.provider === "SANDBOX" && !(await isSandboxClient(tx, verification.clientId))) {
      // A sandbox verdict only ever counts for a sandbox partner's client (the partner may have been made live since).
      log.warn("sandbox kyc verdict for a live partner's client ignored", {
        applicantId: payload.applicantId,
        type: payload.type,
        requestId: caller.requestId,
      });
      return { ok: true, result: "ignored" } as const;
    }
    const review = payload.reviewResult;
    const provider = callerAs(caller, {
      type: "system",
      id: verification.provider === "SANDBOX" ? "kyc-sandbox" : "sumsub",
    });
    const { outcome } = await applyKycEvent(tx, provider, {
      verification,
      event: {
        type: payload.type as KycEventType,
        createdAtMs: payload.createdAtMs,
        review: review && {
          reviewAnswer: review.reviewAnswer,
          rejectType: review.reviewRejectType ?? null,
          rejectLabels: review.rejectLabels ?? [],
          moderationComment: review.moderationComment ?? null,
          clientComment: review.clientComment ?? null,
        },
      },
      source: "provider",
      eventKey: webhookEventKey(payload),
      correlationId: payload.correlationId ?? null,
      payloadSha256: sha256Hex(d.rawBody),
      payload: json,
    });
    return { ok: true, result: outcome } as const;
  });
}
