import { randomUUID } from "node:crypto";
import { createPartnerWithCli, expect, signIn, test } from "./fixtures";

const PAGES = ["/", "/login", "/docs", "/confirm-email?token=x", "/overview", "/no-such-page"];
const ENDPOINTS = [
  "/api/health",
  "/.well-known/jwks.json",
  "/api/openapi.json",
  "/reg/subscription",
  "/api/auth/session",
  "/api/trpc/overview.funnel",
  "/api/no-such-endpoint",
];
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** An API response or a page's navigation response. */
interface WithHeaders {
  headers(): Record<string, string>;
}

function directives(response: WithHeaders): Map<string, string> {
  const policy = response.headers()["content-security-policy"] ?? "";
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!, d.slice(d.indexOf(" ") + 1)]),
  );
}

function nonceOf(response: WithHeaders): string {
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(directives(response).get("script-src") ?? "")?.[1];
  expect(nonce, "script-src carries a nonce").toBeTruthy();
  return nonce!;
}

test("every page and API response carries the security headers of a production build", async ({ request }) => {
  for (const path of [...PAGES, ...ENDPOINTS]) {
    const res = await request.get(path, { maxRedirects: 0 });
    const headers = res.headers();
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["cross-origin-opener-policy"], path).toBe("same-origin");
    expect(headers["permissions-policy"], path).toContain("camera=()");
    expect(headers["strict-transport-security"], path).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(headers["x-powered-by"], path).toBeUndefined();
    expect(headers["content-security-policy"], path).toBeTruthy();
  }
});

test("API and other non-page responses forbid loading anything and being framed", async ({ request }) => {
  for (const path of ENDPOINTS) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.headers()["content-security-policy"], path).toBe(API_POLICY);
  }
});

test("pages allow only their own nonce-carrying scripts, and never inline ones", async ({ request }) => {
  for (const path of PAGES) {
    const res = await request.get(path, { maxRedirects: 0 });
    const policy = directives(res);
    const scripts = policy.get("script-src") ?? "";
    expect(scripts, path).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=]{22,}' 'strict-dynamic'$/);
    expect(scripts, path).not.toContain("unsafe-inline");
    expect(scripts, path).not.toContain("unsafe-eval");
    expect(policy.get("default-src"), path).toBe("'self'");
    expect(policy.get("img-src"), path).toBe("'self' data:");
    expect(policy.get("connect-src"), path).toBe("'self'");
    expect(policy.get("object-src"), path).toBe("'none'");
    expect(policy.get("base-uri"), path).toBe("'none'");
    expect(policy.get("form-action"), path).toBe("'self'");
    expect(policy.get("frame-ancestors"), path).toBe("'none'");
  }
  // A nonce is only a defence if nobody can predict it: every load gets its own.
  const nonces = await Promise.all([1, 2, 3].map(async () => nonceOf(await request.get("/login"))));
  expect(new Set(nonces).size).toBe(3);
});

test("the pages' scripts carry the response's nonce and the page works under the policy", async ({ page }) => {
  const response = await page.goto("/confirm-email?token=not-a-real-token");
  const nonce = nonceOf(response!);
  const scriptNonces = await page
    .locator("script")
    .evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));

  // Hydrated and allowed to call the API: the button answers (the fixture fails the test on any violation).
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not valid" })).toBeVisible();

  for (const path of ["/", "/login", "/no-such-page"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  }
});

test("every cookie the app sets is HttpOnly and SameSite", async ({ page, staff }) => {
  await page.goto("/login");
  await signIn(page, staff.operations);
  await page.goto("/overview");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).toContain("authjs.session-token");
  for (const cookie of cookies) {
    expect(cookie.httpOnly, cookie.name).toBe(true);
    expect(["Lax", "Strict"], cookie.name).toContain(cookie.sameSite);
    // This server's APP_URL is http; over https the names are prefixed and Secure (tests/unit/auth-cookies.test.ts).
    expect(cookie.secure, cookie.name).toBe(false);
  }
});

test("a script injected into a page's HTML does not run, and the browser reports it", async ({ browser }) => {
  // A context of its own: the shared fixture would (rightly) fail the test on this violation.
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations: string[] = [];
  await page.exposeFunction("reportViolation", (directive: string) => violations.push(directive));
  await page.addInitScript(() => {
    document.addEventListener(
      "securitypolicyviolation",
      (e) => void (window as unknown as { reportViolation: (d: string) => void }).reportViolation(e.effectiveDirective),
    );
  });
  // What a stored cross-site script would look like: markup in the page that the server did not mean to send.
  await page.route("**/login", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace("</body>", "<script>window.injected = true</script></body>");
    await route.fulfill({ response, body: html });
  });
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expect.poll(() => violations).toContain("script-src-elem");
  expect(await page.evaluate(() => "injected" in window)).toBe(false);
  await context.close();
});

test("the public API answers uncompressed while pages and the OpenAPI document are gzipped", async ({ request }) => {
  const gzip = { "accept-encoding": "gzip" };
  // A registration's answer (two tokens) is over the 1 KB below which nothing is compressed anyway.
  const { partnerId } = await createPartnerWithCli();
  const registered = await request.post("/api/public/register", {
    headers: { ...gzip, partnerId: String(partnerId) },
    data: {
      firstName: "Plain",
      lastName: "Answer",
      email: `plain-${randomUUID().slice(0, 8)}@example.test`,
      countryCode: "LV",
      password: "Qwerty123",
      referralCode: null,
      agreed: true,
      birthDate: "1990-01-01",
    },
  });
  expect(registered.status()).toBe(201);
  expect(registered.headers()["content-encoding"]).toBeUndefined();
  expect((await registered.body()).length).toBeGreaterThan(1024);
  for (const path of ["/api/health", "/.well-known/jwks.json"]) {
    const res = await request.get(path, { headers: gzip });
    expect(res.status(), path).toBe(200);
    expect(res.headers()["content-encoding"], path).toBeUndefined();
  }
  for (const path of ["/login", "/api/openapi.json"]) {
    const res = await request.get(path, { headers: gzip });
    expect(res.status(), path).toBe(200);
    expect(res.headers()["content-encoding"], path).toBe("gzip");
  }
});
