/**
 * Every enumerated value the database stores, written once. Each tuple feeds
 * its `pgEnum` (db/schema) and the zod enums that validate requests and
 * forms (server/<noun>/schemas.ts), so a value cannot exist in one and not
 * the other. Plain constants: safe to import anywhere, the browser included.
 */

export const STAFF_ROLES = ["admin", "operations", "kam"] as const;

export const PARTNER_STATUSES = ["active", "suspended"] as const;

export const CLIENT_STATES = ["active", "suspended", "blocked"] as const;
export const VERIFICATION_STATUSES = ["not_verified", "email_verified", "phone_verified", "identified"] as const;
export const CLIENT_ORIGINS = ["partner_api", "white_label_api", "back_office", "import"] as const;

export const CONFIRMATION_STATES = ["pending", "confirmed", "expired", "cancelled", "locked"] as const;

export const KYC_PROVIDERS = ["SUMSUB", "SANDBOX", "MANUAL"] as const;
export const KYC_REVIEW_STATUSES = ["init", "pending", "onHold", "completed"] as const;
export const KYC_REVIEW_ANSWERS = ["GREEN", "RED"] as const;
export const KYC_REJECT_TYPES = ["RETRY", "FINAL"] as const;
export const KYC_EVENT_SOURCES = ["provider", "staff"] as const;
export const KYC_EVENT_OUTCOMES = ["applied", "stale"] as const;

export const TIER_INTERVALS = ["DAYS30"] as const;
export const TIER_STATUSES = ["active", "archived"] as const;
export const SUBSCRIPTION_STATUSES = ["INIT", "ACTIVE", "DEACTIVATING", "CANCELLED"] as const;
export const INVOICE_STATUSES = ["open", "paid", "void"] as const;
export const INVOICE_KINDS = ["initial", "renewal"] as const;
export const PAYMENT_STATUSES = ["PENDING", "PAID", "CANCELLED"] as const;
export const ACCOUNT_TYPES = ["CHECKING", "SYSTEM"] as const;

export const ACTOR_TYPES = ["staff", "api_key", "client", "system", "anonymous"] as const;

export const OUTBOX_STATUSES = ["queued", "sending", "sent", "failed"] as const;

/** The events a partner's webhook endpoint can subscribe to (shared/SPEC.md §6). */
export const WEBHOOK_EVENT_TYPES = [
  "client.registered",
  "client.email_confirmed",
  "client.verification_changed",
  "client.state_changed",
  "kyc.decided",
  "subscription.activated",
  "subscription.renewal_failed",
  "subscription.cancelled",
  "invoice.paid",
] as const;
/** pending: waiting for its (next) attempt; sending: claimed by a worker; delivered: a 2xx; failed: 72 h without one, or the endpoint was removed. */
export const WEBHOOK_MESSAGE_STATUSES = ["pending", "sending", "delivered", "failed"] as const;

/** validating: the file is being read into staged rows; validated: the dry run is ready; importing: a worker is writing the ready rows. */
export const IMPORT_JOB_STATUSES = [
  "validating",
  "validated",
  "importing",
  "completed",
  "failed",
  "cancelled",
] as const;
export const IMPORT_ROW_STATUSES = ["ready", "invalid", "duplicate", "imported"] as const;

/** What staff can do to many clients at once (the export streams and is no job). */
export const BULK_ACTIONS = [
  "block",
  "suspend",
  "reactivate",
  "resend_confirmation",
  "revoke_sessions",
  "send_password_reset",
] as const;
export const BULK_OPERATION_STATUSES = ["queued", "running", "completed", "cancelled", "failed"] as const;
/** skipped: the client changed after it was selected (or the action no longer applies), and was left as it was. */
export const BULK_ITEM_STATUSES = ["pending", "done", "skipped", "failed"] as const;

export type StaffRole = (typeof STAFF_ROLES)[number];
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];
export type ClientState = (typeof CLIENT_STATES)[number];
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
export type KycReviewStatus = (typeof KYC_REVIEW_STATUSES)[number];
export type KycReviewAnswer = (typeof KYC_REVIEW_ANSWERS)[number];
export type KycRejectType = (typeof KYC_REJECT_TYPES)[number];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type BulkAction = (typeof BULK_ACTIONS)[number];
