import { getDb } from "../../db/client";
import { config } from "../../env";
import { AppError } from "../errors";
import { authenticateMasterKey, masterKeyFromAuthorization } from "./api-keys";
import { requireActivePartner, type Partner } from "./lookup";
import { partnerIdSchema } from "./schemas";

export interface PartnerCaller {
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

/**
 * Which partner a white-label request acts for: the owner of the master key
 * in Authorization, else the partnerId header, else DEFAULT_PARTNER_ID.
 */
export async function resolveWhiteLabelPartner(o: { authorization: string | null; partnerIdHeader: string | null; ip: string; requestId: string }): Promise<PartnerCaller> {
  const db = getDb();
  const key = masterKeyFromAuthorization(o.authorization);
  if (key) {
    const auth = await authenticateMasterKey(db, key, { ip: o.ip, requestId: o.requestId });
    if (o.partnerIdHeader !== null && parsePartnerId(o.partnerIdHeader, "partnerId") !== auth.partnerId) {
      throw AppError.field("forbidden", "partnerId", "The partnerId header names another partner than the API key's");
    }
    return { partner: await requireActivePartner(auth.partnerId, "Authorization"), apiKeyId: auth.keyId };
  }
  if (o.partnerIdHeader !== null) return { partner: await requireActivePartner(parsePartnerId(o.partnerIdHeader, "partnerId")) };
  const fallback = config().DEFAULT_PARTNER_ID;
  if (fallback !== undefined) return { partner: await requireActivePartner(fallback, "DEFAULT_PARTNER_ID") };
  throw AppError.field("partner_required", "partnerId", "Name the partner with a master API key in Authorization or a partnerId header");
}
