/**
 * The Content-Security-Policy of the app's pages, built per request by proxy.ts.
 *
 * Scripts run only with the request's nonce (Next.js puts it on its own
 * scripts when it finds it in the request's policy) or when loaded by a
 * script that had it ('strict-dynamic'); no inline script and no eval in
 * production. Styles allow 'unsafe-inline': React renders `style` attributes
 * (the overview's funnel bars) and the toast library injects a <style>
 * element without a nonce; a nonce in style-src would make browsers ignore
 * 'unsafe-inline' and refuse both. Styles cannot run code.
 */
export function pageContentSecurityPolicy(nonce: string, { development = false } = {}): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code to rebuild server stacks in the browser.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    // data: for the TOTP enrolment QR code.
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A fresh, unguessable nonce: 128 random bits, base64. */
export function createNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}
