import { NextResponse, type NextRequest } from "next/server";
import { createNonce, pageContentSecurityPolicy } from "./server/http/content-security-policy";

/**
 * Runs on page requests only (route handlers get their strict policy from
 * next.config.mjs). Gives each page a fresh script nonce: Next.js reads it
 * from the request's Content-Security-Policy and puts it on its scripts.
 * Also lets server layouts know the requested path, which Next.js does not
 * expose to them.
 */
export function proxy(request: NextRequest) {
  const policy = pageContentSecurityPolicy(createNonce(), { development: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("x-gatehouse-path", request.nextUrl.pathname);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

// Route handlers live under these prefixes; everything else is a page (or a page's 404).
export const config = { matcher: ["/((?!_next/|api/|\\.well-known/|reg/|oauth/|wallet/|invoice/|favicon.ico).*)"] };
