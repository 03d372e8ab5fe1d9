import { NextRequest } from "next/server";
import { handlers } from "../../server/auth/next-auth";

/**
 * The auth endpoints called as the browser calls them (next-auth's own route
 * handlers, with its CSRF token and cookies), for tests of sign-in and
 * sign-out that must go through next-auth rather than around it.
 */

const origin = "http://gatehouse.test";

/** The name=value pairs of Set-Cookie headers, as a Cookie header. */
function cookieHeader(setCookies: string[]): string {
  return setCookies.map((c) => c.split(";")[0]).join("; ");
}

/** A CSRF token and the cookie that goes with it. */
export async function csrf(): Promise<{ csrfToken: string; cookie: string }> {
  const res = await handlers.GET(new NextRequest(`${origin}/api/auth/csrf`));
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { csrfToken, cookie: cookieHeader(res.headers.getSetCookie()) };
}

export interface AuthAnswer {
  status: number;
  /** The error code the login form is given ("invalid", "totp_required" …), or "OK". */
  code: string;
  /** The whole answer, to compare two answers. */
  body: unknown;
  /** `authjs.session-token=…` when the answer signed the member in. */
  sessionCookie?: string;
}

/** Signs in through the credentials callback, as the login form does. Pass `token` to fire many attempts with one CSRF token. */
export async function signInThroughAuth(o: {
  email: string;
  password: string;
  totp?: string;
  token?: { csrfToken: string; cookie: string };
  userAgent?: string;
}): Promise<AuthAnswer> {
  const { csrfToken, cookie } = o.token ?? (await csrf());
  const res = await handlers.POST(
    new NextRequest(`${origin}/api/auth/callback/credentials`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-auth-return-redirect": "1",
        cookie,
        ...(o.userAgent ? { "user-agent": o.userAgent } : {}),
      },
      body: new URLSearchParams({
        csrfToken,
        email: o.email,
        password: o.password,
        ...(o.totp ? { totp: o.totp } : {}),
        callbackUrl: "/",
      }),
    }),
  );
  const body = (await res.json()) as { url: string };
  const params = new URL(body.url).searchParams;
  const session = res.headers.getSetCookie().find((c) => /^(__Secure-)?authjs\.session-token=/.test(c));
  return {
    status: res.status,
    code: params.get("code") ?? params.get("error") ?? "OK",
    body,
    ...(session ? { sessionCookie: session.split(";")[0] } : {}),
  };
}

/** Next-auth's own sign-out endpoint (a POST with the CSRF token), with the session cookie. */
export async function signOutThroughAuth(sessionCookie: string): Promise<Response> {
  const { csrfToken, cookie } = await csrf();
  return handlers.POST(
    new NextRequest(`${origin}/api/auth/signout`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-auth-return-redirect": "1",
        cookie: `${cookie}; ${sessionCookie}`,
      },
      body: new URLSearchParams({ csrfToken, callbackUrl: "/login" }),
    }),
  );
}
