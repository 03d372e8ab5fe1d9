import { eq } from "drizzle-orm";
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { getDb } from "../../db/client";
import { clients, kycVerifications, partners } from "../../db/schema";
import { config } from "../../env";
import type { Caller } from "../caller";
import { safeEqualHex, secretHmac } from "../crypto";
import { AppError } from "../errors";
import type { ApplicantReview, KycProvider } from "./provider-contract";
import { formatCreatedAtMs, rejectTypeSchema, type WebhookAck } from "./schemas";
import { payloadDigest } from "./signing";
import { handleSumsubWebhook } from "./webhook";

/**
 * The built-in provider used without Sumsub credentials. No network: the
 * applicant is the kyc_verifications row, the access token is a signed,
 * expiring reference to it, and a tester's verdict on the sandbox page
 * becomes a webhook signed with the webhook secret and handed to the same
 * handler Sumsub's webhooks reach.
 */

const TOKEN_PREFIX = "sbx_";
const TOKEN_PURPOSE = "kyc-sandbox-token";

const tokenClaimsSchema = z.object({ a: z.string(), u: z.uuid(), l: z.string(), e: z.number().int() });

export interface SandboxSession {
  applicantId: string;
  clientId: string;
  levelName: string;
  expiresAt: Date;
}

export function issueSandboxToken(o: {
  applicantId: string;
  externalUserId: string;
  levelName: string;
  ttlSeconds: number;
  nowMs?: number;
}): string {
  const claims = {
    a: o.applicantId,
    u: o.externalUserId,
    l: o.levelName,
    e: Math.floor((o.nowMs ?? Date.now()) / 1000) + o.ttlSeconds,
  };
  const body = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
  return `${TOKEN_PREFIX}${body}.${secretHmac(TOKEN_PURPOSE, body)}`;
}

/** The applicant a sandbox token stands for; refused when forged or expired. */
function readSandboxToken(token: string, nowMs = Date.now()): SandboxSession {
  const invalid = new AppError(
    "invalid_token",
    "The sandbox link is not valid or has expired; start the verification again",
  );
  if (!token.startsWith(TOKEN_PREFIX)) throw invalid;
  const [body, mac] = token.slice(TOKEN_PREFIX.length).split(".");
  if (!body || !mac || !safeEqualHex(mac, secretHmac(TOKEN_PURPOSE, body))) throw invalid;
  let claims: z.infer<typeof tokenClaimsSchema>;
  try {
    claims = tokenClaimsSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    throw invalid;
  }
  if (claims.e * 1000 <= nowMs) throw invalid;
  return { applicantId: claims.a, clientId: claims.u, levelName: claims.l, expiresAt: new Date(claims.e * 1000) };
}

export const sandboxProvider: KycProvider = {
  name: "SANDBOX",
  async createApplicant() {
    return { applicantId: `sandbox-${randomBytes(12).toString("hex")}` };
  },
  async createAccessToken(o) {
    return { token: issueSandboxToken(o) };
  },
  async getApplicantReview(applicantId): Promise<ApplicantReview> {
    const [row] = await getDb()
      .select({
        clientId: kycVerifications.clientId,
        levelName: kycVerifications.levelName,
        reviewStatus: kycVerifications.reviewStatus,
        reviewAnswer: kycVerifications.reviewAnswer,
        rejectType: kycVerifications.rejectType,
        rejectLabels: kycVerifications.rejectLabels,
        moderationComment: kycVerifications.moderationComment,
        clientComment: kycVerifications.clientComment,
      })
      .from(kycVerifications)
      .where(eq(kycVerifications.applicantId, applicantId));
    if (!row) throw new AppError("not_found", "No such sandbox applicant");
    return {
      applicantId,
      externalUserId: row.clientId,
      levelName: row.levelName,
      reviewStatus: row.reviewStatus,
      reviewResult: row.reviewAnswer
        ? {
            reviewAnswer: row.reviewAnswer,
            rejectType: row.rejectType,
            rejectLabels: row.rejectLabels,
            moderationComment: row.moderationComment,
            clientComment: row.clientComment,
          }
        : null,
    };
  },
};

/**
 * What the sandbox page shows: the applicant behind the link, its client and
 * the current review. Every sandbox entry point goes through here: the
 * applicant must be a sandbox one and its client's partner a sandbox partner
 * now (a partner an admin has since made live no longer has a sandbox), so
 * nothing a client can reach approves a live client's identity.
 */
export async function getSandboxApplicant(token: string) {
  const session = readSandboxToken(token);
  const [row] = await getDb()
    .select({
      email: clients.email,
      partnerId: clients.partnerId,
      clientId: kycVerifications.clientId,
      partnerIsSandbox: partners.sandbox,
      provider: kycVerifications.provider,
      reviewStatus: kycVerifications.reviewStatus,
      reviewAnswer: kycVerifications.reviewAnswer,
      rejectType: kycVerifications.rejectType,
      rejectLabels: kycVerifications.rejectLabels,
      moderationComment: kycVerifications.moderationComment,
    })
    .from(kycVerifications)
    .innerJoin(clients, eq(clients.id, kycVerifications.clientId))
    .innerJoin(partners, eq(partners.id, clients.partnerId))
    .where(eq(kycVerifications.applicantId, session.applicantId));
  if (!row) throw new AppError("not_found", "This sandbox applicant no longer exists; start the verification again");
  const { partnerIsSandbox, provider, ...shown } = row;
  if (!partnerIsSandbox || provider !== "SANDBOX" || row.clientId !== session.clientId) {
    throw new AppError(
      "invalid_token",
      "This link is not a sandbox verification: the partner verifies identities with its live provider",
    );
  }
  return { ...session, ...shown };
}

export const sandboxActionSchema = z
  .object({
    token: z.string().min(1).max(2000),
    /** submit → applicantPending, hold → applicantOnHold, approve / reject → applicantReviewed, reset → applicantReset. */
    action: z.enum(["submit", "hold", "approve", "reject", "reset"]),
    rejectType: rejectTypeSchema.optional(),
    labels: z.array(z.string().trim().min(1).max(100)).max(20).default([]),
    moderationComment: z.string().trim().max(2000).optional(),
    clientComment: z.string().trim().max(2000).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.action === "reject" && !a.rejectType)
      ctx.addIssue({ code: "custom", path: ["rejectType"], message: "Choose RETRY or FINAL" });
  });
export type SandboxActionInput = z.input<typeof sandboxActionSchema>;

const EVENT_OF = {
  submit: "applicantPending",
  hold: "applicantOnHold",
  approve: "applicantReviewed",
  reject: "applicantReviewed",
  reset: "applicantReset",
} as const;
const STATUS_OF = {
  submit: "pending",
  hold: "onHold",
  approve: "completed",
  reject: "completed",
  reset: "init",
} as const;

/** The webhook Sumsub would send for this action, as raw JSON. */
function sandboxWebhookBody(
  session: SandboxSession,
  a: z.output<typeof sandboxActionSchema>,
  nowMs = Date.now(),
): string {
  const reviewed = a.action === "approve" || a.action === "reject";
  return JSON.stringify({
    applicantId: session.applicantId,
    inspectionId: session.applicantId,
    correlationId: `sandbox-${randomUUID()}`,
    levelName: session.levelName,
    externalUserId: session.clientId,
    type: EVENT_OF[a.action],
    sandboxMode: true,
    reviewStatus: STATUS_OF[a.action],
    createdAtMs: formatCreatedAtMs(nowMs),
    ...(reviewed
      ? {
          reviewResult:
            a.action === "approve"
              ? { reviewAnswer: "GREEN" }
              : {
                  reviewAnswer: "RED",
                  reviewRejectType: a.rejectType,
                  rejectLabels: a.labels,
                  ...(a.moderationComment ? { moderationComment: a.moderationComment } : {}),
                  ...(a.clientComment ? { clientComment: a.clientComment } : {}),
                },
        }
      : {}),
  });
}

/**
 * A tester's action on the sandbox page: sent as a signed webhook through
 * handleSumsubWebhook, exactly the path a Sumsub webhook takes.
 */
export async function submitSandboxAction(
  caller: Caller,
  input: z.output<typeof sandboxActionSchema>,
): Promise<WebhookAck> {
  const session = await getSandboxApplicant(input.token);
  const rawBody = sandboxWebhookBody(session, input);
  return handleSumsubWebhook(caller, {
    rawBody,
    digest: payloadDigest(config().sumsubWebhookSecret, "HMAC_SHA256_HEX", rawBody),
    algorithm: "HMAC_SHA256_HEX",
  });
}
