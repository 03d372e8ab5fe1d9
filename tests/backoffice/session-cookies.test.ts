import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "../../env";
import { handlers } from "../../server/auth/next-auth";
import { createTestStaff } from "../support/staff";

interface SetCookie {
  name: string;
  attributes: string[];
}

function parse(header: string): SetCookie {
  const [pair, ...attributes] = header.split(";").map((p) => p.trim());
  return { name: pair!.slice(0, pair!.indexOf("=")), attributes: attributes.map((a) => a.toLowerCase()) };
}

/**
 * Signs a staff member in through the auth endpoints, the way the login form
 * does, with requests that reach the server as plain http (as they do behind
 * a proxy that terminates TLS), and returns every cookie the answers set.
 */
async function cookiesOfASignIn(): Promise<SetCookie[]> {
  const staff = await createTestStaff("operations");
  const origin = "http://127.0.0.1:3000";
  const csrf = await handlers.GET(new NextRequest(`${origin}/api/auth/csrf`));
  const csrfCookies = csrf.headers.getSetCookie();
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signIn = await handlers.POST(
    new NextRequest(`${origin}/api/auth/callback/credentials`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-auth-return-redirect": "1",
        cookie: csrfCookies.map((c) => c.split(";")[0]).join("; "),
      },
      body: new URLSearchParams({ csrfToken, email: staff.email, password: staff.password, callbackUrl: "/" }),
    }),
  );
  expect(signIn.status).toBe(200);
  expect(((await signIn.json()) as { url: string }).url).not.toMatch(/error=/);
  return [...csrfCookies, ...signIn.headers.getSetCookie()].map(parse);
}

function useAppUrl(url: string) {
  const previous = process.env.APP_URL;
  process.env.APP_URL = url;
  resetConfigForTests();
  return () => {
    process.env.APP_URL = previous;
    resetConfigForTests();
  };
}

describe("staff session cookies", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it("are HttpOnly, SameSite=Lax, Secure and prefixed when the app is served over https", async () => {
    restore = useAppUrl("https://gatehouse.example");
    const cookies = await cookiesOfASignIn();
    expect(cookies.map((c) => c.name)).toEqual(
      expect.arrayContaining(["__Host-authjs.csrf-token", "__Secure-authjs.session-token"]),
    );
    for (const cookie of cookies) {
      expect(cookie.name, "a __Secure- or __Host- prefix").toMatch(/^__(Secure|Host)-/);
      expect(cookie.attributes, cookie.name).toContain("httponly");
      expect(cookie.attributes, cookie.name).toContain("secure");
      expect(cookie.attributes, cookie.name).toContain("samesite=lax");
    }
  });

  it("are HttpOnly and SameSite=Lax, without Secure, on a plain-http development URL", async () => {
    restore = useAppUrl("http://localhost:3000");
    const cookies = await cookiesOfASignIn();
    expect(cookies.map((c) => c.name)).toEqual(expect.arrayContaining(["authjs.csrf-token", "authjs.session-token"]));
    for (const cookie of cookies) {
      expect(cookie.attributes, cookie.name).toContain("httponly");
      expect(cookie.attributes, cookie.name).toContain("samesite=lax");
      expect(cookie.attributes, cookie.name).not.toContain("secure");
    }
  });
});
