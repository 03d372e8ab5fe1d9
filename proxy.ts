import { NextResponse, type NextRequest } from "next/server";
import { config as appConfig } from "./env";
import { AppError } from "./server/errors";
import { createNonce, pageContentSecurityPolicy } from "./server/http/content-security-policy";
import { isCrossSite } from "./server/http/cross-site";
import { errorResponse } from "./server/http/errors";
import { requestIdOf } from "./server/http/request-id";

/**
 * Runs on page requests only (route handlers get their strict policy from
 * next.config.mjs). Gives each page a fresh script nonce: Next.js reads it
 * from the request's Content-Security-Policy and puts it on its scripts.
 * Also lets server layouts know the requested path, which Next.js does not
 * expose to them.
 *
 * A page takes a POST only as a server action (the Clients page's "Load more",
 * signing out). One sent from another site is refused here, as the tRPC
 * endpoint refuses it, with the same JSON answer: Next.js would refuse it too,
 * but as an internal error.
 *
 * Every page's answer carries the request id as the API's do (an incoming
 * well-formed X-Request-Id is kept). Pages are not in the request histogram
 * nor the request log: nothing here sees when a page's rendering ends.
 */
export function proxy(request: NextRequest) {
  const requestId = requestIdOf(request.headers);
  if (request.method !== "GET" && request.method !== "HEAD" && isCrossSite(request, appConfig().APP_URL)) {
    return errorResponse(new AppError("forbidden", "Cross-site requests are refused"), requestId, {
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    });
  }
  const policy = pageContentSecurityPolicy(createNonce(), { development: appConfig().NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("x-gatehouse-path", request.nextUrl.pathname);
  headers.set("content-security-policy", policy);
  headers.set("x-request-id", requestId);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  response.headers.set("X-Request-Id", requestId);
  return response;
}

// Route handlers live under these prefixes (and /metrics); everything else is a page (or a page's 404).
export const config = {
  matcher: ["/((?!_next/|api/|\\.well-known/|reg/|oauth/|wallet/|invoice/|favicon.ico|metrics).*)"],
};
