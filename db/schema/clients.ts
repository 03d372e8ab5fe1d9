import { sql } from "drizzle-orm";
import {
  char,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { partners } from "./partners";
import { staffUsers } from "./staff";
import { CLIENT_ORIGINS, CLIENT_STATES, VERIFICATION_STATUSES } from "../enums";

export const clientState = pgEnum("client_state", CLIENT_STATES);
export const verificationStatus = pgEnum("verification_status", VERIFICATION_STATUSES);
export const clientOrigin = pgEnum("client_origin", CLIENT_ORIGINS);

export const clients = pgTable(
  "clients",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    userType: text("user_type").notNull().default("CUSTOMER"),
    firstName: text("first_name"),
    lastName: text("last_name"),
    countryCode: char("country_code", { length: 2 }),
    birthDate: date("birth_date"),
    referralCode: text("referral_code"),
    /** The partner's own id for the client, kept from an import. */
    externalId: text("external_id"),
    termsAgreedAt: timestamp("terms_agreed_at", { withTimezone: true }),
    postalCode: text("postal_code"),
    state: text("state"),
    address1: text("address1"),
    address2: text("address2"),
    deviceType: text("device_type"),
    profileState: clientState("profile_state").notNull().default("active"),
    emailConfirmedAt: timestamp("email_confirmed_at", { withTimezone: true }),
    verificationStatus: verificationStatus("verification_status").notNull().default("not_verified"),
    verificationLevel: smallint("verification_level").notNull().default(0),
    createdVia: clientOrigin("created_via").notNull(),
    createdByStaffId: uuid("created_by_staff_id").references(() => staffUsers.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("clients_partner_email_key").on(t.partnerId, sql`lower(${t.email})`),
    index("clients_created_idx").on(t.createdAt, t.id),
    index("clients_partner_created_idx").on(t.partnerId, t.createdAt, t.id),
    index("clients_email_lower_idx").on(sql`lower(${t.email}) text_pattern_ops`),
    // Back-office list: sort by email (byte order, matching the keyset cursor) and name prefix search.
    index("clients_email_sort_idx").on(sql`lower(${t.email}) collate "C"`, t.id),
    index("clients_full_name_lower_idx").on(
      sql`lower(coalesce(${t.firstName}, '') || ' ' || coalesce(${t.lastName}, '')) text_pattern_ops`,
    ),
    index("clients_last_name_lower_idx").on(sql`lower(${t.lastName}) text_pattern_ops`),
    // Back-office filters whose rare values (blocked, identified, a small country) would otherwise scan the whole list.
    index("clients_state_created_idx").on(t.profileState, t.createdAt, t.id),
    index("clients_verification_created_idx").on(t.verificationStatus, t.createdAt, t.id),
    index("clients_country_created_idx").on(t.countryCode, t.createdAt, t.id),
    // Overview funnel: counts a window of registration days from the index alone (index-only scan).
    // Led by created_at because the busiest view is every partner at once; a small partner's
    // funnel uses clients_partner_created_idx instead.
    index("clients_funnel_idx").on(t.createdAt, t.partnerId, t.emailConfirmedAt, t.verificationStatus),
  ],
);
