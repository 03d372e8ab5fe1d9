CREATE TABLE "funnel_daily" (
	"partner_id" integer NOT NULL,
	"day" date NOT NULL,
	"started" integer NOT NULL,
	"confirmed" integer NOT NULL,
	"identified" integer NOT NULL,
	"subscribed" integer NOT NULL,
	CONSTRAINT "funnel_daily_day_partner_id_pk" PRIMARY KEY("day","partner_id")
);
--> statement-breakpoint
CREATE TABLE "funnel_rollup_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"from_day" date NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "funnel_daily" ADD CONSTRAINT "funnel_daily_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;