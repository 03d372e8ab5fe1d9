/**
 * Cross-site request forgery check for the cookie-authenticated back office.
 * A browser labels every request it sends: `Sec-Fetch-Site` (all current
 * browsers) and `Origin` (on every POST, and on cross-origin GETs). Neither
 * can be set by a page's script. A request is refused when either says it
 * comes from another site, including a sibling subdomain (`same-site`), which
 * the SameSite=Lax cookie does not stop.
 *
 * An `Origin` counts as our own when it is `APP_URL`'s, the request URL's, or
 * the scheme and host the request was sent to (`Host`, or `X-Forwarded-Host`
 * and `X-Forwarded-Proto` behind a proxy): the app may be reached under more
 * than one name, and Next.js builds a proxy's request URL from its own
 * configured host rather than the one the browser used.
 *
 * A request with neither header is not from a browser (curl, a script): it can
 * carry a session cookie only if its sender already holds one, so there is no
 * victim whose cookie could be borrowed, and it is let through.
 */
export function isCrossSite(req: Request, appUrl: string): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return true;
  if (site === "same-origin") return false;
  const origin = req.headers.get("origin");
  if (origin === null) return false;
  // "null" (sandboxed frames, data: URLs, some redirects) never equals a real origin, so it is refused too.
  return !ownOrigins(req, appUrl).includes(origin);
}

function ownOrigins(req: Request, appUrl: string): string[] {
  const url = new URL(req.url);
  const own = [url.origin, new URL(appUrl).origin];
  const host = firstValue(req.headers.get("x-forwarded-host")) ?? req.headers.get("host");
  const proto = firstValue(req.headers.get("x-forwarded-proto")) ?? url.protocol.replace(/:$/, "");
  if (host) own.push(`${proto}://${host}`);
  return own;
}

/** A proxy chain may list several values; the first is what the browser used. */
function firstValue(header: string | null): string | undefined {
  return header?.split(",")[0]?.trim() || undefined;
}
