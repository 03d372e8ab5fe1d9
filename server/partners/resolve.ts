import { AppError } from "../errors";
import type { Partner } from "./lookup";
import { partnerIdSchema } from "./schemas";

/** The partner a public request acts for: resolved once, by request-partner.ts (route handlers call ctx.partner()). */
export interface ResolvedPartner {
  partner: Partner;
  /** Set when the request carried the partner's master API key. */
  apiKeyId?: string;
}

/** Parses a partnerId from a header or body value, naming the field when it is wrong. */
export function parsePartnerId(value: unknown, field: string): number {
  const parsed = partnerIdSchema.safeParse(value);
  if (!parsed.success) throw AppError.field("invalid_request", field, "partnerId must be a positive 32-bit integer");
  return parsed.data;
}
