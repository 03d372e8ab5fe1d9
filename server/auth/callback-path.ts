/**
 * Where the sign-in page sends staff afterwards: a path on this site, or the
 * overview. Only same-site paths: an open redirect would let a phishing link
 * bounce staff elsewhere (browsers read "/\host" like "//host"). Only visible
 * ASCII: a control character cannot go into the Location header of the
 * redirect (the page failed with a 500), and the back office's own links to
 * the sign-in page are percent-encoded. A repeated parameter arrives as an
 * array and is refused too.
 */
export function safeCallbackPath(callbackUrl: unknown): string {
  return typeof callbackUrl === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(callbackUrl) ? callbackUrl : "/overview";
}
