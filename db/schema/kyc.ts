import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { clients } from "./clients";
import { partners } from "./partners";
import { staffUsers } from "./staff";
import {
  KYC_EVENT_OUTCOMES,
  KYC_EVENT_SOURCES,
  KYC_PROVIDERS,
  KYC_REJECT_TYPES,
  KYC_REVIEW_ANSWERS,
  KYC_REVIEW_STATUSES,
} from "../enums";

/** Who holds the applicant: Sumsub, the built-in sandbox, or nobody (decided by staff alone). */
export const kycProvider = pgEnum("kyc_provider", KYC_PROVIDERS);
export const kycReviewStatus = pgEnum("kyc_review_status", KYC_REVIEW_STATUSES);
export const kycReviewAnswer = pgEnum("kyc_review_answer", KYC_REVIEW_ANSWERS);
export const kycRejectType = pgEnum("kyc_reject_type", KYC_REJECT_TYPES);
export const kycEventSource = pgEnum("kyc_event_source", KYC_EVENT_SOURCES);
export const kycEventOutcome = pgEnum("kyc_event_outcome", KYC_EVENT_OUTCOMES);

/** A client's identity verification: one row per client, the state the latest applied event left. */
export const kycVerifications = pgTable(
  "kyc_verifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clientId: uuid("client_id")
      .notNull()
      .unique()
      .references(() => clients.id),
    // Copied from the client (which never changes partner) so the review queue filters by scope without a join.
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    provider: kycProvider("provider").notNull(),
    applicantId: text("applicant_id"),
    levelName: text("level_name"),
    reviewStatus: kycReviewStatus("review_status").notNull().default("init"),
    reviewAnswer: kycReviewAnswer("review_answer"),
    rejectType: kycRejectType("reject_type"),
    rejectLabels: text("reject_labels")
      .array()
      .notNull()
      .default(sql`ARRAY[]::text[]`),
    /** May be shown to the client. */
    moderationComment: text("moderation_comment"),
    /** For staff only: never leaves the back office. */
    clientComment: text("client_comment"),
    /** createdAtMs of the latest applied event; older events are stale. */
    lastEventAtMs: bigint("last_event_at_ms", { mode: "number" }),
    /** When reviewStatus/answer last changed: the queue's age. */
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true }).notNull().defaultNow(),
    decidedByStaffId: uuid("decided_by_staff_id").references(() => staffUsers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("kyc_verifications_applicant_key").on(t.provider, t.applicantId),
    index("kyc_verifications_queue_idx").on(t.reviewStatus, t.statusChangedAt, t.id),
    index("kyc_verifications_partner_idx").on(t.partnerId, t.reviewStatus),
  ],
);

/**
 * Every event received for a verification (provider webhooks and staff
 * decisions), applied or not. event_key is the event's identity: a redelivered
 * webhook hits the unique index and changes nothing.
 */
export const kycEvents = pgTable(
  "kyc_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    verificationId: uuid("verification_id")
      .notNull()
      .references(() => kycVerifications.id),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    source: kycEventSource("source").notNull(),
    /** The raw type: applicantCreated, applicantPending, applicantOnHold, applicantReviewed, applicantReset. */
    eventType: text("event_type").notNull(),
    eventKey: text("event_key").notNull().unique(),
    correlationId: text("correlation_id"),
    /** SHA-256 of the raw webhook body, for matching a delivery to the provider's logs. */
    payloadSha256: text("payload_sha256"),
    createdAtMs: bigint("created_at_ms", { mode: "number" }).notNull(),
    outcome: kycEventOutcome("outcome").notNull(),
    reviewAnswer: kycReviewAnswer("review_answer"),
    rejectType: kycRejectType("reject_type"),
    rejectLabels: text("reject_labels")
      .array()
      .notNull()
      .default(sql`ARRAY[]::text[]`),
    moderationComment: text("moderation_comment"),
    clientComment: text("client_comment"),
    /** The parsed webhook payload (Sumsub sends no personal data in webhooks). */
    payload: jsonb("payload"),
    staffId: uuid("staff_id").references(() => staffUsers.id),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("kyc_events_client_idx").on(t.clientId, t.receivedAt)],
);
