import { AsyncLocalStorage } from "node:async_hooks";
import { isIP } from "node:net";
import { config } from "../../env";
import { log } from "../log";

/**
 * Who is on the other end of a request. Quotas, lockouts and the audit log
 * key on this address, so it must come from something the client cannot
 * write: the socket's peer, or — behind TRUSTED_PROXY_COUNT proxies — the
 * entry the outermost trusted proxy appended to X-Forwarded-For.
 *
 * Route handlers, next-auth and server actions only see a web `Request` or
 * Next.js's headers, never the socket. So Gatehouse's HTTP server (scripts/
 * http-server.ts) resolves the address once per connection request, from the
 * socket, and runs the request inside an async context that carries it;
 * `currentClientAddress()` reads it back. Nothing in a request's headers can
 * set that context.
 */

/** What a request carries when it did not come through Gatehouse's server (plain `next start`, a unit test). */
export const UNKNOWN_ADDRESS = "unknown";

/** An address as a comparable string: IPv4-mapped IPv6 unwrapped, brackets and ports removed; undefined when it is not an IP address. */
export function normaliseAddress(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  value = value.replace(/^::ffff:(?=\d{1,3}(\.\d{1,3}){3}$)/i, "");
  const version = isIP(value);
  if (version === 0) return undefined;
  return version === 6 ? value.toLowerCase() : value;
}

/**
 * The one rule. The chain is X-Forwarded-For as the proxies built it, with
 * the socket's peer as its last element. With no trusted proxy the peer is the
 * client, whatever the headers say. With N trusted proxies the client is the
 * N-th entry counted from the right (0 = the peer): each trusted proxy appended
 * the address it saw, and anything further left was written by the client.
 * A chain too short for N, or an entry that is not an address, means the
 * request did not come through every trusted proxy: the peer is used, so a
 * header never widens a per-address limit.
 */
export function resolveClientAddress(o: {
  peer: string | undefined | null;
  forwardedFor: string | undefined | null;
  trustedProxies: number;
}): string {
  const peer = normaliseAddress(o.peer) ?? UNKNOWN_ADDRESS;
  if (o.trustedProxies <= 0) return peer;
  const forwarded = (o.forwardedFor ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  const picked = chain[chain.length - 1 - o.trustedProxies];
  return normaliseAddress(picked) ?? peer;
}

interface RequestEdge {
  clientAddress: string;
}

// One store per process, shared by the server script's copy of this module and the copy Next.js bundles.
const STORE_KEY = Symbol.for("gatehouse.request-edge");
const holder = globalThis as { [STORE_KEY]?: AsyncLocalStorage<RequestEdge> };
const store = (holder[STORE_KEY] ??= new AsyncLocalStorage<RequestEdge>());

/** Runs `fn` (a request's whole handling) with its client address. */
export function withClientAddress<T>(clientAddress: string, fn: () => T): T {
  return store.run({ clientAddress }, fn);
}

let warned = false;

/** The client address of the request being handled. */
export function currentClientAddress(): string {
  const edge = store.getStore();
  if (edge) return edge.clientAddress;
  if (!warned && config().isProduction) {
    warned = true;
    log.warn(
      "requests are reaching Gatehouse without its HTTP server (npm start): client addresses are unknown and share one per-address limit",
    );
  }
  return UNKNOWN_ADDRESS;
}
