import { NextResponse, type NextRequest } from "next/server";

/** Lets server layouts know the requested path (Next.js does not expose it to them). */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-gatehouse-path", request.nextUrl.pathname);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/((?!_next/|api/|favicon.ico).*)"] };
