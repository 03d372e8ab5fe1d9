import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { clients } from "./clients";
import { partners } from "./partners";

/**
 * Opaque refresh tokens, stored as SHA-256 hashes. Each use rotates the token;
 * presenting a rotated one again revokes its whole family.
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    familyId: uuid("family_id").notNull(),
    parentId: uuid("parent_id"),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    tokenHash: text("token_hash").notNull().unique(),
    /** Which response shape the family was issued in: "partner" or "white_label". */
    flavour: text("flavour").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    rotatedAt: timestamp("rotated_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_client_idx").on(t.clientId, t.createdAt),
  ],
);

/** RS256 signing keys generated on first start when none are configured. */
export const signingKeys = pgTable("signing_keys", {
  kid: text("kid").primaryKey(),
  publicJwk: jsonb("public_jwk").notNull(),
  privatePem: text("private_pem").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** Once retired a key no longer signs, but stays in the JWKS until its tokens expire. */
  retiredAt: timestamp("retired_at", { withTimezone: true }),
});
