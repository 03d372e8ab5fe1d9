import { log } from "../log";
import { originAllowed } from "../partners/hosts";
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, corsHeaders } from "../partners/origins";

/**
 * CORS for the public API, so a partner's browser app can call it from the
 * origins the partner lists (server/partners/hosts.ts decides which). Applied
 * by route() to every answer under the public prefixes, errors included, and
 * to the preflights the routes' OPTIONS exports answer (preflight.ts).
 *
 * - An allowed origin gets itself back in Access-Control-Allow-Origin (never
 *   `*`), no credentials flag (the API takes tokens in Authorization, never
 *   cookies), and on a preflight the methods, the headers the API reads and a
 *   Max-Age of 10 minutes, so a removed origin stops working within that.
 * - Any other origin gets no CORS header at all. Its preflight is still a 204
 *   (the browser refuses it for the missing headers): a 403 would tell a
 *   stranger no more and would be one more status to document.
 * - Every answer under the prefixes carries `Vary: Origin`, since whether the
 *   headers are there depends on it.
 *
 * The back office (pages, /api/trpc, /api/auth, the CSV exports) is not under
 * these prefixes and keeps its same-origin rules (cross-site.ts, the CSP).
 */

const PUBLIC_PREFIXES = ["/api/public/", "/api/token/", "/reg/", "/oauth/", "/invoice/", "/wallet/", "/.well-known/"];

export function isPublicApiPath(path: string): boolean {
  return PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix));
}

export const CORS_MAX_AGE_SECONDS = 600;

/** Adds the CORS headers `response` should carry; `partnerId` is the partner the request resolved to, if it resolved one. */
export async function applyCors(
  req: Request,
  response: Response,
  o: { path: string; host: string | undefined; partnerId: number | undefined; requestId: string },
): Promise<void> {
  if (!isPublicApiPath(o.path)) return;
  response.headers.append("vary", "Origin");
  const origin = req.headers.get("origin");
  if (origin === null) return;
  let allowed: boolean;
  try {
    allowed = await originAllowed(origin, { partnerId: o.partnerId, host: o.host });
  } catch (error) {
    // The answer itself (often the 503 of the same outage) still goes out, unreadable to the browser.
    log.warn("could not check a CORS origin", { requestId: o.requestId, error });
    return;
  }
  if (!allowed) return;
  for (const [name, value] of Object.entries(corsHeaders(origin, [origin]))) response.headers.set(name, value);
  if (req.method === "OPTIONS" && req.headers.has("access-control-request-method")) {
    response.headers.set("access-control-allow-methods", CORS_ALLOWED_METHODS);
    response.headers.set("access-control-allow-headers", CORS_ALLOWED_HEADERS);
    response.headers.set("access-control-max-age", String(CORS_MAX_AGE_SECONDS));
  }
}
