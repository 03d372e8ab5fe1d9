CREATE TABLE "staff_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"staff_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staff_sessions_staff_id_idx" ON "staff_sessions" USING btree ("staff_id");--> statement-breakpoint
-- Sessions opened before session rows existed (a JWT naming the staff member and their
-- session_version) keep working until they expire: each active member gets one row whose
-- id is derived from (staff id, session_version), as legacySessionId() in
-- server/staff/sessions.ts derives it from such a cookie.
INSERT INTO "staff_sessions" ("id", "staff_id", "created_at", "expires_at")
SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-3' || substr(h, 14, 3) || '-8' || substr(h, 18, 3) || '-' || substr(h, 21, 12))::uuid, "id", now(), now() + interval '8 hours'
FROM (SELECT "id", md5("id"::text || ':' || "session_version"::text) AS h FROM "staff_users" WHERE "active") AS legacy;--> statement-breakpoint
ALTER TABLE "staff_users" DROP COLUMN "session_version";