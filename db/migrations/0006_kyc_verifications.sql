CREATE TYPE "public"."kyc_event_outcome" AS ENUM('applied', 'stale');--> statement-breakpoint
CREATE TYPE "public"."kyc_event_source" AS ENUM('provider', 'staff');--> statement-breakpoint
CREATE TYPE "public"."kyc_provider" AS ENUM('SUMSUB', 'SANDBOX', 'MANUAL');--> statement-breakpoint
CREATE TYPE "public"."kyc_reject_type" AS ENUM('RETRY', 'FINAL');--> statement-breakpoint
CREATE TYPE "public"."kyc_review_answer" AS ENUM('GREEN', 'RED');--> statement-breakpoint
CREATE TYPE "public"."kyc_review_status" AS ENUM('init', 'pending', 'onHold', 'completed');--> statement-breakpoint
CREATE TABLE "kyc_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"verification_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"source" "kyc_event_source" NOT NULL,
	"event_type" text NOT NULL,
	"event_key" text NOT NULL,
	"correlation_id" text,
	"payload_sha256" text,
	"created_at_ms" bigint NOT NULL,
	"outcome" "kyc_event_outcome" NOT NULL,
	"review_answer" "kyc_review_answer",
	"reject_type" "kyc_reject_type",
	"reject_labels" text[] DEFAULT ARRAY[]::text[] NOT NULL,
	"moderation_comment" text,
	"client_comment" text,
	"payload" jsonb,
	"staff_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kyc_events_event_key_unique" UNIQUE("event_key")
);
--> statement-breakpoint
CREATE TABLE "kyc_verifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"client_id" uuid NOT NULL,
	"partner_id" integer NOT NULL,
	"provider" "kyc_provider" NOT NULL,
	"applicant_id" text,
	"level_name" text,
	"review_status" "kyc_review_status" DEFAULT 'init' NOT NULL,
	"review_answer" "kyc_review_answer",
	"reject_type" "kyc_reject_type",
	"reject_labels" text[] DEFAULT ARRAY[]::text[] NOT NULL,
	"moderation_comment" text,
	"client_comment" text,
	"last_event_at_ms" bigint,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by_staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kyc_verifications_client_id_unique" UNIQUE("client_id")
);
--> statement-breakpoint
ALTER TABLE "kyc_events" ADD CONSTRAINT "kyc_events_verification_id_kyc_verifications_id_fk" FOREIGN KEY ("verification_id") REFERENCES "public"."kyc_verifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_events" ADD CONSTRAINT "kyc_events_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_events" ADD CONSTRAINT "kyc_events_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_verifications" ADD CONSTRAINT "kyc_verifications_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_verifications" ADD CONSTRAINT "kyc_verifications_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kyc_verifications" ADD CONSTRAINT "kyc_verifications_decided_by_staff_id_staff_users_id_fk" FOREIGN KEY ("decided_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kyc_events_client_idx" ON "kyc_events" USING btree ("client_id","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "kyc_verifications_applicant_key" ON "kyc_verifications" USING btree ("provider","applicant_id");--> statement-breakpoint
CREATE INDEX "kyc_verifications_queue_idx" ON "kyc_verifications" USING btree ("review_status","status_changed_at","id");--> statement-breakpoint
CREATE INDEX "kyc_verifications_partner_idx" ON "kyc_verifications" USING btree ("partner_id","review_status");