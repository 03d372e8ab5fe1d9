import { date, integer, pgTable, primaryKey, smallint, timestamp } from "drizzle-orm/pg-core";
import { partners } from "./partners";

/**
 * The Overview funnel per partner and UTC day, recomputed by a background job
 * (server/overview/funnel-rollup.ts) so the page reads at most 90 rows per
 * partner instead of counting every client of the window.
 */
export const funnelDaily = pgTable(
  "funnel_daily",
  {
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    day: date("day").notNull(),
    started: integer("started").notNull(),
    confirmed: integer("confirmed").notNull(),
    identified: integer("identified").notNull(),
    subscribed: integer("subscribed").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.partnerId] })],
);

/** One row: when the rollup was last recomputed and from which day. */
export const funnelRollupState = pgTable("funnel_rollup_state", {
  id: smallint("id").primaryKey(),
  fromDay: date("from_day").notNull(),
  refreshedAt: timestamp("refreshed_at", { withTimezone: true }).notNull(),
});
