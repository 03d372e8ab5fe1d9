import { getDb } from "../../db/client";
import { config } from "../../env";
import type { Caller } from "../caller";
import { AppError } from "../errors";
import { authenticateMasterKey, masterKeyFromAuthorization } from "./api-keys";
import { partnerIdForHost } from "./hosts";
import { requireActivePartner } from "./lookup";
import { parsePartnerId, type ResolvedPartner } from "./resolve";

/**
 * Which partner a public request acts for, for every endpoint of both
 * flavours (SPEC §2), in this order:
 *
 * 1. the owner of the master API key in `Authorization`, on the endpoints
 *    where Authorization carries one (white-label register and sign-in;
 *    elsewhere it carries a client's token, which names no partner here);
 *    a partnerId sent with the key must name the same partner;
 * 2. the `partnerId` header (or where a flavour also takes it, the body, which
 *    must then agree with the header);
 * 3. the partner whose host the request was sent to (hosts.ts; the transport
 *    reads the host, trusting proxies as it does for the client's address);
 * 4. DEFAULT_PARTNER_ID.
 *
 * Nothing matching is a 400 partner_required. A partner named but unknown or
 * suspended is refused naming where it came from: partnerId, Authorization,
 * Host or DEFAULT_PARTNER_ID.
 */
export interface PartnerSignals {
  /** Authorization, where the endpoint takes a partner's master API key. */
  masterKey?: string | null;
  partnerIdHeader: string | null;
  /** partnerId from the body, where the flavour accepts it there. */
  partnerIdBody?: number;
  /** The host the request was sent to, normalised (server/http/request-host.ts). */
  host?: string;
}

export async function resolvePartner(caller: Caller, s: PartnerSignals): Promise<ResolvedPartner>;
/** With `optional`, a request naming no partner (no key, header or host) acts for none, and DEFAULT_PARTNER_ID is not used: the refresh grant, whose token names its partner. */
export async function resolvePartner(
  caller: Caller,
  s: PartnerSignals,
  o: { optional: true },
): Promise<ResolvedPartner | undefined>;
export async function resolvePartner(
  caller: Caller,
  s: PartnerSignals,
  o: { optional?: boolean } = {},
): Promise<ResolvedPartner | undefined> {
  const headerId = s.partnerIdHeader === null ? undefined : parsePartnerId(s.partnerIdHeader, "partnerId");
  if (headerId !== undefined && s.partnerIdBody !== undefined && headerId !== s.partnerIdBody) {
    throw AppError.field("invalid_request", "partnerId", "The partnerId header and body disagree");
  }
  const namedId = headerId ?? s.partnerIdBody;
  const key = s.masterKey === undefined ? undefined : masterKeyFromAuthorization(s.masterKey);
  if (key) {
    const auth = await authenticateMasterKey(getDb(), caller, key);
    if (namedId !== undefined && namedId !== auth.partnerId) {
      throw AppError.field("forbidden", "partnerId", "The partnerId header names another partner than the API key's");
    }
    return { partner: await requireActivePartner(auth.partnerId, "Authorization"), apiKeyId: auth.keyId };
  }
  if (namedId !== undefined) return { partner: await requireActivePartner(namedId) };
  const hostPartnerId = s.host === undefined ? undefined : await partnerIdForHost(s.host);
  if (hostPartnerId !== undefined) return { partner: await requireActivePartner(hostPartnerId, "Host") };
  if (o.optional) return undefined;
  const fallback = config().DEFAULT_PARTNER_ID;
  if (fallback !== undefined) return { partner: await requireActivePartner(fallback, "DEFAULT_PARTNER_ID") };
  throw AppError.field(
    "partner_required",
    "partnerId",
    "Name the partner with a partnerId header (or, for the white-label API, a master API key in Authorization), or call from the partner's host",
  );
}
