import { expect, signIn, test } from "./fixtures";
import { uniqueTag } from "./support/data";
import { toast } from "./support/ui";

test("an admin adds a staff member, requires TOTP, and deactivates them; the deactivated member's open session is refused", async ({
  adminPage: page,
  staff,
  browser,
  baseURL,
  db,
}) => {
  const tag = uniqueTag();
  const email = `e2e-member-${tag}@staff.test`;
  const name = `E2E Member ${tag}`;

  await page.goto("/staff");
  await expect(page.getByRole("heading", { level: 1, name: "Staff" })).toBeVisible();
  const table = page.getByRole("table", { name: "Staff members" });
  // The list has loaded, so the page is live before the form is filled in.
  await expect(table.getByRole("row").filter({ hasText: staff.admin.email })).toBeVisible();
  await expect(
    table.getByRole("button", { name: `Deactivate ${staff.admin.email}` }),
    "no admin deactivates themselves",
  ).toHaveCount(0);

  const form = page.getByRole("region", { name: "Add staff member" });
  // Typed in mixed case, stored in lower case.
  await form.getByRole("textbox", { name: "Email" }).fill(email.replace("e2e-member", "E2E-Member"));
  await form.getByRole("textbox", { name: "Name" }).fill(name);
  await form.getByRole("combobox", { name: "Role" }).selectOption({ label: "Operations" });
  await form.getByRole("button", { name: "Add staff member" }).click();

  await expect(toast(page, `Added ${email}`)).toBeVisible();
  await expect(form.getByText("This password will not be shown again")).toBeVisible();
  const password = await form.getByRole("textbox", { name: "Temporary password" }).inputValue();
  expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  await expect(form.getByRole("button", { name: "Copy password" })).toBeVisible();

  const row = table.getByRole("row").filter({ hasText: email });
  const cells = row.getByRole("cell");
  await expect(row.getByRole("combobox", { name: `Role of ${email}` })).toHaveValue("operations");
  await expect(cells.nth(1)).toHaveText("Active");
  await expect(cells.nth(2)).toHaveText("Not set up");
  await expect(cells.nth(3)).toHaveText("Never");

  // The new member signs in with the temporary password, in a browser of their own.
  const memberContext = await browser.newContext({ baseURL });
  const member = await memberContext.newPage();
  await signIn(member, { email, password });
  await member.goto("/clients");
  await expect(member.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();

  await row.getByRole("button", { name: `Require 2FA for ${email}` }).click();
  await expect(toast(page, `Two-factor authentication is now required for ${email}`)).toBeVisible();
  await expect(cells.nth(2)).toContainText("Required");
  await expect(row.getByRole("button", { name: `Stop requiring 2FA for ${email}` })).toBeVisible();
  // Until they enrol, the member's open session only reaches their account security page.
  await member.goto("/clients");
  await expect(member).toHaveURL(/\/account\/security$/);
  await expect(member.getByText("An admin requires two-factor authentication for your account")).toBeVisible();

  await row.getByRole("button", { name: `Deactivate ${email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Deactivate ${name}?` });
  await expect(dialog).toContainText(`${email} is signed out everywhere at once`);
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await expect(toast(page, `Deactivated ${email}: their sessions have ended`)).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(cells.nth(1)).toHaveText("Deactivated");
  await expect(row.getByRole("button", { name: `Reactivate ${email}` })).toBeVisible();

  // The member's open session is refused: pages send them to sign in, the API answers 401.
  await member.goto("/account/security");
  await expect(member).toHaveURL(/\/login\?callbackUrl=%2Faccount%2Fsecurity$/);
  const call = await member.request.get("/api/trpc/account.me");
  expect(call.status()).toBe(401);
  await memberContext.close();

  const { rows } = await db.query<{ id: string; email: string; role: string; active: boolean; totp_required: boolean }>(
    "select id, email, role, active, totp_required from staff_users where lower(email) = $1",
    [email],
  );
  expect(rows).toEqual([{ id: expect.any(String), email, role: "operations", active: false, totp_required: true }]);
  const audit = await db.query<{ action: string }>(
    "select action from audit_events where entity_id = $1 and actor_type = 'staff' and actor_id = $2 order by id",
    [rows[0]!.id, staff.admin.id],
  );
  expect(audit.rows.map((r) => r.action)).toEqual([
    "staff.create",
    "staff.totp_requirement_changed",
    "staff.deactivated",
  ]);
});

test("staff who are not admins have no Staff page", async ({ operationsPage: page }) => {
  await page.goto("/clients");
  const nav = page.getByRole("navigation", { name: "Back office" });
  await expect(nav.getByRole("link", { name: "Clients", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Staff", exact: true })).toHaveCount(0);

  await page.goto("/staff");
  await expect(page.getByRole("heading", { level: 1, name: "Staff" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Only admins manage staff accounts" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Staff members" })).toHaveCount(0);
  const call = await page.request.get("/api/trpc/staff.list");
  expect(call.status()).toBe(403);
});
