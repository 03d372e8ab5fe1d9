CREATE INDEX "clients_email_sort_idx" ON "clients" USING btree (lower("email") collate "C","id");--> statement-breakpoint
CREATE INDEX "clients_full_name_lower_idx" ON "clients" USING btree (lower(coalesce("first_name", '') || ' ' || coalesce("last_name", '')) text_pattern_ops);--> statement-breakpoint
CREATE INDEX "clients_last_name_lower_idx" ON "clients" USING btree (lower("last_name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "clients_state_created_idx" ON "clients" USING btree ("profile_state","created_at","id");--> statement-breakpoint
CREATE INDEX "clients_verification_created_idx" ON "clients" USING btree ("verification_status","created_at","id");--> statement-breakpoint
CREATE INDEX "clients_country_created_idx" ON "clients" USING btree ("country_code","created_at","id");