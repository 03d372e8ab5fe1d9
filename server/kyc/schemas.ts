import { z } from "zod";
import {
  KYC_PROVIDERS,
  KYC_REJECT_TYPES,
  KYC_REVIEW_ANSWERS,
  KYC_REVIEW_STATUSES,
  VERIFICATION_STATUSES,
} from "../../db/enums";

/** The review events the state machine understands; other webhook types are acknowledged and ignored. */
export const KYC_EVENT_TYPES = [
  "applicantCreated",
  "applicantPending",
  "applicantOnHold",
  "applicantReviewed",
  "applicantReset",
] as const;
export type KycEventType = (typeof KYC_EVENT_TYPES)[number];

const reviewStatusSchema = z.enum(KYC_REVIEW_STATUSES);
export const reviewAnswerSchema = z.enum(KYC_REVIEW_ANSWERS);
export const rejectTypeSchema = z.enum(KYC_REJECT_TYPES);
const kycProviderSchema = z.enum(KYC_PROVIDERS);
export type KycProviderName = z.infer<typeof kycProviderSchema>;

const label = z.string().trim().min(1).max(100);
const comment = z.string().trim().max(2000);

// Public API: POST /reg/verification and GET /reg/verification.

export const verificationRequestSchema = z
  .object({ type: z.literal("SUMSUB", { error: 'type must be "SUMSUB"' }) })
  .meta({ id: "VerificationRequest", example: { type: "SUMSUB" } });

export const verificationStartedSchema = z
  .object({
    type: z.literal("SUMSUB"),
    provider: kycProviderSchema
      .exclude(["MANUAL"])
      .meta({ description: "`SANDBOX` for a sandbox partner's clients, `SUMSUB` for a live partner's." }),
    token: z.string().meta({ description: "Access token for the Sumsub Web or Mobile SDK (or the sandbox page)." }),
    userId: z.uuid().meta({ description: "The applicant's `externalUserId`: the client's id." }),
    applicantId: z.string(),
    levelName: z.string().meta({ example: "basic-kyc-level" }),
    expiresIn: z.number().int().positive().meta({ description: "Seconds the token stays valid." }),
    sandboxUrl: z.string().nullable().meta({
      description:
        "Sandbox only: the page of this instance where a tester submits, approves or rejects. Null with Sumsub.",
    }),
  })
  .meta({ id: "VerificationStarted" });
export type VerificationStarted = z.infer<typeof verificationStartedSchema>;

export const verificationStateSchema = z
  .object({
    status: z
      .enum(["not_started", ...reviewStatusSchema.options])
      .meta({ description: "`not_started` until `POST /reg/verification`; then the review status." }),
    provider: kycProviderSchema.nullable(),
    applicantId: z.string().nullable(),
    levelName: z.string().nullable(),
    answer: reviewAnswerSchema.nullable().meta({ description: "The verdict once `status` is `completed`." }),
    rejectType: rejectTypeSchema
      .nullable()
      .meta({ description: "With `answer: RED`: `RETRY` lets the client submit again, `FINAL` does not." }),
    rejectLabels: z.array(z.string()),
    moderationComment: z.string().nullable().meta({ description: "The reviewer's note meant for the client." }),
    canSubmit: z
      .boolean()
      .meta({ description: "Whether `POST /reg/verification` will start (or continue) a verification." }),
    verificationStatus: z.enum(VERIFICATION_STATUSES),
    verificationLevel: z.number().int().min(0).max(5),
  })
  .meta({ id: "VerificationState" });
export type VerificationState = z.infer<typeof verificationStateSchema>;

// Webhook.

/** Sumsub sends "yyyy-MM-dd HH:mm:ss.SSS" in UTC; epoch milliseconds (number or digits) are accepted too. */
function parseCreatedAtMs(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (/^\d{1,16}$/.test(text)) return Number(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  const at = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number((ms ?? "0").padEnd(3, "0")),
  );
  return Number.isNaN(at) ? undefined : at;
}

/** The Sumsub format of createdAtMs, which the sandbox provider sends. */
export function formatCreatedAtMs(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

export const webhookPayloadSchema = z
  .object({
    type: z.string().min(1).max(100),
    applicantId: z.string().min(1).max(200),
    externalUserId: z.string().max(200).optional(),
    correlationId: z.string().max(200).optional(),
    inspectionId: z.string().max(200).optional(),
    levelName: z.string().max(200).optional(),
    reviewStatus: z.string().max(50).optional(),
    sandboxMode: z.boolean().optional(),
    createdAtMs: z.union([z.string(), z.number()]).transform((v, ctx) => {
      const ms = parseCreatedAtMs(v);
      if (ms === undefined) {
        ctx.addIssue({
          code: "custom",
          message: 'createdAtMs must be "yyyy-MM-dd HH:mm:ss.SSS" (UTC) or epoch milliseconds',
        });
        return z.NEVER;
      }
      return ms;
    }),
    reviewResult: z
      .object({
        reviewAnswer: reviewAnswerSchema,
        reviewRejectType: rejectTypeSchema.optional(),
        rejectLabels: z.array(z.string().max(200)).max(100).optional(),
        moderationComment: z.string().max(5000).optional(),
        clientComment: z.string().max(5000).optional(),
      })
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === "applicantReviewed" && !p.reviewResult)
      ctx.addIssue({ code: "custom", path: ["reviewResult"], message: "applicantReviewed needs a reviewResult" });
  })
  .meta({
    id: "SumsubWebhook",
    description:
      "Sumsub's user-verification webhook. Types other than applicantCreated, applicantPending, applicantOnHold, applicantReviewed and applicantReset are acknowledged and ignored.",
    example: {
      type: "applicantReviewed",
      applicantId: "5cb56e8e0a975a35f333cb83",
      externalUserId: "f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1",
      correlationId: "req-a260b669-4f14-4bb5-a4c5-ac0218acb9a4",
      levelName: "basic-kyc-level",
      reviewStatus: "completed",
      createdAtMs: "2026-02-21 13:23:19.321",
      reviewResult: { reviewAnswer: "GREEN" },
    },
  });
export type WebhookPayload = z.output<typeof webhookPayloadSchema>;

export const webhookAckSchema = z
  .object({
    ok: z.literal(true),
    result: z.enum(["applied", "duplicate", "stale", "ignored"]).meta({
      description:
        "`duplicate`: this event was received before; `stale`: older than the last applied one; `ignored`: a type or applicant this instance does not track. Each is final: the provider need not retry.",
    }),
  })
  .meta({ id: "WebhookAck" });
export type WebhookAck = z.infer<typeof webhookAckSchema>;

// Back office.

export const decisionSchema = z
  .object({
    clientId: z.uuid(),
    decision: z.enum(["approve", "reject"]),
    rejectType: rejectTypeSchema.optional(),
    labels: z.array(label).max(20).default([]),
    moderationComment: comment.optional(),
    clientComment: comment.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.decision === "reject" && !d.rejectType)
      ctx.addIssue({
        code: "custom",
        path: ["rejectType"],
        message: "Choose whether the client may retry or the rejection is final",
      });
    if (d.decision === "approve" && d.rejectType)
      ctx.addIssue({ code: "custom", path: ["rejectType"], message: "An approval has no reject type" });
  });
export type DecisionInput = z.input<typeof decisionSchema>;

const REVIEW_QUEUES = ["pending", "onHold", "retry"] as const;

export const reviewQueueFiltersSchema = z.object({
  /** Which queues to show; all three by default. */
  queue: z.enum(REVIEW_QUEUES).optional(),
  partnerId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ReviewQueueFilters = z.output<typeof reviewQueueFiltersSchema>;
