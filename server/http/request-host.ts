/**
 * The host a public request was sent to, which names a partner when the
 * partner serves its white-label app there (SPEC §2: master key, partnerId
 * header, host, DEFAULT_PARTNER_ID).
 *
 * Proxies are trusted as the client-address rule trusts them
 * (client-address.ts, TRUSTED_PROXY_COUNT). With no trusted proxy the host is
 * the request's own `Host` and `X-Forwarded-Host` is ignored: anyone can
 * write that header. With N trusted proxies the chain is X-Forwarded-Host as
 * the proxies built it, with `Host` as its last element, and the host is the
 * N-th entry from the right: the outermost trusted proxy wrote (or appended)
 * the host the client asked it for, and anything further left came from the
 * client. A chain too short for N (the proxies pass `Host` through rather
 * than adding the header), or an entry that is not a hostname, leaves `Host`.
 *
 * A host is not a credential: it only picks a partner, as the partnerId
 * header (which any client sends) does, and a browser can set neither `Host`
 * nor, without a preflight this API refuses, `X-Forwarded-Host`. The rule
 * keeps a direct client from passing for another partner's host all the same,
 * so the partner a request acts for never depends on a header that nothing
 * in front of Gatehouse vouched for. `Forwarded` (RFC 7239) is not read.
 */

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*$/;

/** A Host value as partners list hosts: lower case, without port or trailing dot; undefined for an address literal or anything malformed. */
export function normaliseHost(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const value = raw.trim().toLowerCase();
  // An IPv6 literal ([::1]:3000) names no partner.
  if (value.startsWith("[")) return undefined;
  const host = value.replace(/:\d{1,5}$/, "").replace(/\.$/, "");
  return HOSTNAME.test(host) ? host : undefined;
}

/** The one rule, on the headers as received. */
export function resolveRequestHost(o: {
  host: string | null;
  forwardedHost: string | null;
  trustedProxies: number;
}): string | undefined {
  if (o.trustedProxies <= 0) return normaliseHost(o.host);
  const forwarded = (o.forwardedHost ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...forwarded, o.host ?? ""];
  const picked = chain[chain.length - 1 - o.trustedProxies];
  return normaliseHost(picked) ?? normaliseHost(o.host);
}
