import { request as playwrightRequest, type APIResponse } from "@playwright/test";
import type { Pool } from "pg";
import { expect, test } from "./fixtures";
import { createPartner } from "./support/data";

/**
 * Cross-site request forgery against the back office. Its mutations are tRPC
 * POSTs authenticated by the session cookie; a page on another site must not
 * be able to make a signed-in member of staff's browser send one. Every
 * forged request below carries a valid admin session cookie.
 */

const SUSPEND = "/api/trpc/partner.suspend";
const EVIL = "http://evil.example.test";

async function partnerState(db: Pool, partnerId: number) {
  const partner = await db.query<{ status: string }>("select status from partners where id = $1", [partnerId]);
  const audit = await db.query<{ n: number }>(
    "select count(*)::int as n from audit_events where partner_id = $1 and action = 'partner.suspended'",
    [partnerId],
  );
  return { status: partner.rows[0]?.status, suspensions: audit.rows[0]?.n };
}

async function expectRefusedJson(response: APIResponse, status: number) {
  expect(response.status(), await response.text()).toBe(status);
  expect(response.headers()["content-type"]).toMatch(/json/);
  const body = (await response.json()) as { error?: { code?: string }; message?: string };
  expect(body.error).toBeDefined();
}

test("cross-site requests with a valid session cannot change anything; the same request from the back office itself does", async ({
  adminPage: page,
  db,
  baseURL,
}) => {
  const partner = await createPartner();
  const api = page.request;
  const body = JSON.stringify({ partnerId: partner.partnerId, reason: "Forged from another site" });
  const untouched = { status: "active", suspensions: 0 };

  // A form another site auto-submits: text/plain and urlencoded bodies, a foreign Origin.
  await expectRefusedJson(
    await api.post(SUSPEND, {
      headers: { origin: EVIL, "content-type": "text/plain", "sec-fetch-site": "cross-site" },
      data: body,
    }),
    403,
  );
  await expectRefusedJson(
    await api.post(SUSPEND, {
      headers: { origin: EVIL, "content-type": "application/x-www-form-urlencoded" },
      data: `json=${encodeURIComponent(body)}`,
    }),
    403,
  );
  // A script's fetch with a JSON body (which would need CORS, and gets no such permission).
  await expectRefusedJson(
    await api.post(SUSPEND, {
      headers: { origin: EVIL, "content-type": "application/json", "sec-fetch-site": "cross-site" },
      data: body,
    }),
    403,
  );
  // A sibling subdomain: same-site for the cookie, not the same origin.
  await expectRefusedJson(
    await api.post(SUSPEND, {
      headers: { "content-type": "application/json", "sec-fetch-site": "same-site" },
      data: body,
    }),
    403,
  );
  // Origin "null": a sandboxed frame or a data: URL.
  await expectRefusedJson(
    await api.post(SUSPEND, { headers: { origin: "null", "content-type": "application/json" }, data: body }),
    403,
  );
  // A link or image pointing at the mutation: a GET, which the cookie does accompany on top-level navigation.
  const input = encodeURIComponent(body);
  await expectRefusedJson(
    await api.get(`${SUSPEND}?input=${input}`, {
      headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" },
    }),
    403,
  );
  // Even same-origin, a mutation is never run by a GET.
  await expectRefusedJson(await api.get(`${SUSPEND}?input=${input}`), 405);
  expect(await partnerState(db, partner.partnerId)).toEqual(untouched);

  // The same call from the back office's own origin goes through, so the refusals above were not for another reason.
  const own = await api.post(SUSPEND, {
    headers: { origin: new URL(baseURL!).origin, "content-type": "application/json", "sec-fetch-site": "same-origin" },
    data: body,
  });
  expect(own.status(), await own.text()).toBe(200);
  expect(await partnerState(db, partner.partnerId)).toEqual({ status: "suspended", suspensions: 1 });
});

test("a real page on another site cannot suspend a partner through the signed-in browser", async ({
  adminPage: page,
  db,
  baseURL,
}) => {
  const partner = await createPartner();
  const target = new URL(SUSPEND, baseURL).href;
  const body = JSON.stringify({ partnerId: partner.partnerId, reason: "Forged from another site" });
  // The attacker's page, served under a foreign origin.
  await page.route(`${EVIL}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>Win a prize</title>
        <form id="f" method="post" action="${target}" enctype="text/plain"><input name='${body.slice(0, -2)}' value='"}}'></form>
        <script>
          fetch(${JSON.stringify(target)}, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(body)} })
            .finally(() => document.getElementById("f").submit());
        </script>`,
    }),
  );
  const posted = page.waitForResponse(
    (r) => r.url() === target && r.request().method() === "POST" && r.request().isNavigationRequest(),
  );
  await page.goto(`${EVIL}/prize`);
  const response = await posted;
  expect(response.status()).toBe(403);
  // The refused form post is a navigation: let it land before navigating again.
  await page.waitForURL(target);
  await expect(page.locator("body")).toContainText("Cross-site requests are refused");
  expect(await partnerState(db, partner.partnerId)).toEqual({ status: "active", suspensions: 0 });

  // And the back office, in the same browser, still works: its own requests are same-origin.
  await page.goto("/partners");
  await expect(page.getByRole("heading", { level: 1, name: "Partners" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /^\d+ partners?, / })).toBeVisible();
});

test("a real page on another site cannot post to a back-office page (server actions), and cannot sign staff out", async ({
  adminPage: page,
  baseURL,
}) => {
  // The sign-out button is a server action; without JavaScript its form carries the action's id
  // in a hidden field, which is what a forged form would copy.
  await page.goto("/clients");
  const signOut = page
    .getByRole("navigation", { name: "Back office" })
    .locator("form")
    .filter({ has: page.getByRole("button", { name: "Sign out" }) });
  const fields = await signOut
    .locator("input[type=hidden]")
    .evaluateAll((inputs) => inputs.map((i) => [(i as HTMLInputElement).name, (i as HTMLInputElement).value]));
  expect(fields.some(([name]) => name!.startsWith("$ACTION_ID_"))).toBe(true);

  const target = new URL("/clients", baseURL).href;
  const hidden = fields.map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`).join("");
  await page.route(`${EVIL}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>Win a prize</title>
        <form id="f" method="post" action="${target}" enctype="multipart/form-data">${hidden}</form>
        <script>document.getElementById("f").submit();</script>`,
    }),
  );
  const posted = page.waitForResponse((r) => r.url() === target && r.request().method() === "POST");
  await page.goto(`${EVIL}/prize`);
  expect((await posted).status()).toBe(403);
  await page.waitForURL(target);
  await expect(page.locator("body")).toContainText("Cross-site requests are refused");

  // Still signed in: the back office opens, not the sign-in page.
  await page.goto("/clients");
  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();
});

test("the credentials sign-in refuses a login forced from elsewhere: no CSRF token, or a token without its cookie", async ({
  createStaff,
  baseURL,
}) => {
  const staff = await createStaff("operations");
  const form = { email: staff.email, password: staff.password, callbackUrl: "/" };

  const attacker = await playwrightRequest.newContext({ baseURL });
  const victim = await playwrightRequest.newContext({ baseURL });
  try {
    const sessionOf = async (ctx: typeof victim) =>
      ((await (await ctx.get("/api/auth/session")).json()) as { user?: unknown } | null)?.user;
    // No token at all (a plain cross-site form post).
    await victim.post("/api/auth/callback/credentials", { headers: { origin: EVIL }, form, maxRedirects: 0 });
    expect(await sessionOf(victim)).toBeUndefined();
    // The attacker's own token, which the victim's browser has no matching cookie for.
    const { csrfToken } = (await (await attacker.get("/api/auth/csrf")).json()) as { csrfToken: string };
    await victim.post("/api/auth/callback/credentials", {
      headers: { origin: EVIL },
      form: { ...form, csrfToken },
      maxRedirects: 0,
    });
    expect(await sessionOf(victim)).toBeUndefined();
    const cookies = (await victim.storageState()).cookies.map((c) => c.name);
    expect(cookies.filter((name) => /session-token/.test(name))).toEqual([]);

    // With its own token and cookie, the same form signs in: the refusals were the CSRF check.
    const own = (await (await victim.get("/api/auth/csrf")).json()) as { csrfToken: string };
    await victim.post("/api/auth/callback/credentials", {
      form: { ...form, csrfToken: own.csrfToken },
      maxRedirects: 0,
    });
    expect(await sessionOf(victim)).toMatchObject({ email: staff.email });
  } finally {
    await Promise.all([attacker.dispose(), victim.dispose()]);
  }
});

test("a page on another site cannot sign a visitor in to an account of its choosing through the login form", async ({
  page,
  createStaff,
  baseURL,
}) => {
  // Login CSRF: the attacker's own account, so that what the victim then types lands in it.
  const attacker = await createStaff("operations");
  await page.goto("/login");
  const fields = await page
    .locator("form")
    .filter({ has: page.getByRole("button", { name: "Sign in" }) })
    .locator("input[type=hidden]")
    .evaluateAll((inputs) => inputs.map((i) => [(i as HTMLInputElement).name, (i as HTMLInputElement).value]));
  expect(fields.some(([name]) => name!.startsWith("$ACTION_"))).toBe(true);

  const target = new URL("/login", baseURL).href;
  const attribute = (v: string) => v.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const inputs = [...fields, ["email", attacker.email], ["password", attacker.password]]
    .map(([name, value]) => `<input type="hidden" name="${attribute(name!)}" value="${attribute(value!)}">`)
    .join("");
  await page.route(`${EVIL}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>Win a prize</title>
        <form id="f" method="post" action="${target}" enctype="multipart/form-data">${inputs}</form>
        <script>document.getElementById("f").submit();</script>`,
    }),
  );
  const posted = page.waitForResponse((r) => r.url() === target && r.request().method() === "POST");
  await page.goto(`${EVIL}/prize`);
  expect((await posted).status()).toBe(403);
  await page.waitForURL(target);
  await expect(page.locator("body")).toContainText("Cross-site requests are refused");
  const cookies = await page.context().cookies();
  expect(cookies.filter((c) => /session-token/.test(c.name))).toEqual([]);
});
