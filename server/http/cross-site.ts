/**
 * Cross-site request forgery check for the cookie-authenticated back office.
 * A browser labels every request it sends: `Sec-Fetch-Site` (all current
 * browsers) and `Origin` (on every POST, and on cross-origin GETs). A request
 * is refused when either says it comes from another site, including a sibling
 * subdomain (`same-site`), which the SameSite=Lax cookie does not stop.
 *
 * A request with neither header is not from a browser (curl, a script): it can
 * carry a session cookie only if its sender already holds one, so there is no
 * victim whose cookie could be borrowed, and it is let through.
 */
export function isCrossSite(req: Request, appUrl: string): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return true;
  const origin = req.headers.get("origin");
  if (origin === null) return false;
  // "null" (sandboxed frames, data: URLs, some redirects) never equals a real origin, so it is refused too.
  return origin !== new URL(req.url).origin && origin !== new URL(appUrl).origin;
}
