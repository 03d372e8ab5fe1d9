import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/** Fills the form and waits for the answer of its server action (a POST to the login page itself). */
async function submitLogin(page: Page, email: string, password: string) {
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByLabel("Password").fill(password);
  const answered = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/login",
  );
  await page.getByRole("button", { name: "Sign in" }).click();
  await answered;
}

function alertWith(page: Page, text: RegExp) {
  return page.getByRole("alert").filter({ hasText: text });
}

test("staff sign in, and repeated failures lock the account", async ({ page, createStaff, db }) => {
  const [staff, target] = await Promise.all([createStaff("operations"), createStaff("kam")]);

  await page.goto("/clients");
  // The dashboard sends an anonymous visitor to the login page and back afterwards.
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fclients$/);
  await expect(page.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();

  await submitLogin(page, staff.email, "not-the-password");
  await expect(alertWith(page, /email or password is not correct/)).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await submitLogin(page, staff.email, staff.password);
  await expect(page).toHaveURL(/\/clients$/);
  const header = page.getByRole("banner");
  await expect(header.getByText(staff.name, { exact: true })).toBeVisible();
  await expect(header).toContainText(`${staff.email} · operations`);
  await expect(
    page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Clients", exact: true }),
  ).toHaveAttribute("aria-current", "page");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Without a page to return to, staff land on the Overview.
  await submitLogin(page, staff.email, staff.password);
  await expect(page).toHaveURL(/\/overview$/);
  await expect(
    page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Overview" }),
  ).toHaveAttribute("aria-current", "page");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/account/security");
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);

  // Five wrong passwords lock the account: even the right one is refused now, with the answer a
  // wrong password gets, so the form does not tell a stranger that the account exists.
  for (let attempt = 1; attempt <= 5; attempt++) {
    await submitLogin(page, target.email, `wrong-guess-${attempt}`);
    await expect(alertWith(page, /email or password is not correct/)).toBeVisible();
  }
  await submitLogin(page, target.email, target.password);
  await expect(alertWith(page, /email or password is not correct/)).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText(/locked/i)).toHaveCount(0);

  const { rows } = await db.query<{ failed_sign_ins: number; locked: boolean }>(
    "select failed_sign_ins, locked_until > now() as locked from staff_users where id = $1",
    [target.id],
  );
  expect(rows[0]).toEqual({ failed_sign_ins: 5, locked: true });
  const refused = await db.query(
    "select 1 from audit_events where entity_id = $1 and action = 'staff.sign_in_refused_locked'",
    [target.id],
  );
  expect(refused.rowCount).toBe(1);
});

test("the login form sends staff only to a page of this site, whatever its callbackUrl field says", async ({
  page,
  createStaff,
  baseURL,
}) => {
  const staff = await createStaff("kam");
  // A link from elsewhere with a foreign callbackUrl: the page puts the Overview in the form instead.
  await page.goto("/login?callbackUrl=%2F%2Fevil.example.test%2Fphish");
  const callbackUrl = page.locator("input[name=callbackUrl]");
  await expect(callbackUrl).toHaveValue("/overview");
  // The field edited in the browser (as a forged post would send it) is checked again by the action.
  await callbackUrl.evaluate((input) => ((input as HTMLInputElement).value = "//evil.example.test/phish"));
  await submitLogin(page, staff.email, staff.password);
  await expect(page).toHaveURL(new URL("/overview", baseURL).href);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("staff sign in with a plain form post, and a wrong password is told on the returned page", async ({
    page,
    createStaff,
  }) => {
    const staff = await createStaff("operations");
    await page.goto("/login?callbackUrl=%2Fclients");

    await submitLogin(page, staff.email, "not-the-password");
    await expect(alertWith(page, /email or password is not correct/)).toBeVisible();
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fclients$/);
    // The address comes back filled in; the password never leaves the server again.
    await expect(page.getByRole("textbox", { name: "Email" })).toHaveValue(staff.email);
    await expect(page.getByLabel("Password")).toHaveValue("");

    await submitLogin(page, staff.email, staff.password);
    await expect(page).toHaveURL(/\/clients$/);
    await expect(page.getByRole("banner").getByText(staff.name, { exact: true })).toBeVisible();
  });
});
