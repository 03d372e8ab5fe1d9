import { randomUUID } from "node:crypto";
import { expect, signIn, test } from "./fixtures";
import { toast } from "./support/ui";

test("a staff member changes their own password and their other session ends", async ({
  page,
  browser,
  baseURL,
  createStaff,
  db,
}) => {
  const staff = await createStaff("operations");
  const newPassword = `E2E new ${randomUUID()}`;
  await signIn(page, staff);
  const otherContext = await browser.newContext({ baseURL });
  const other = await otherContext.newPage();
  await signIn(other, staff);
  await other.goto("/clients");
  await expect(other.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();

  await page.goto("/account/security");
  // The two-factor section has loaded, so the page is live before the form is filled in.
  await expect(page.getByRole("button", { name: "Start setup" })).toBeVisible();
  const form = page.getByRole("region", { name: "Change password" });
  await form.getByLabel("Current password").fill("not my current password");
  await form.getByLabel("New password", { exact: true }).fill(newPassword);
  await form.getByLabel("Confirm new password").fill(`${newPassword} typo`);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("The two new passwords do not match")).toBeVisible();

  // A wrong current password is refused in place.
  await form.getByLabel("Confirm new password").fill(newPassword);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("That is not your current password")).toBeVisible();

  await form.getByLabel("Current password").fill(staff.password);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(toast(page, "Password changed; your other session has ended")).toBeVisible();
  await expect(form.getByLabel("Current password")).toHaveValue("");

  // The other browser is sent to sign in on its next navigation; this one stays signed in.
  await other.goto("/clients");
  await expect(other).toHaveURL(/\/login\?callbackUrl=%2Fclients$/);
  await page.goto("/clients");
  await expect(page.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();
  // The new password is the one that signs in now.
  await signIn(other, { email: staff.email, password: newPassword });
  await otherContext.close();

  const { rows } = await db.query<{ action: string; after: unknown }>(
    "select action, after from audit_events where entity_id = $1 and action like 'staff.password%' order by id",
    [staff.id],
  );
  expect(rows).toEqual([
    { action: "staff.password_change_failed", after: { reason: "password" } },
    { action: "staff.password_changed", after: { otherSessionsEnded: 1 } },
  ]);
});

test("an admin resets a staff member's password: the temporary password is shown once and the member's session ends", async ({
  adminPage: page,
  staff,
  createStaff,
  browser,
  baseURL,
  db,
}) => {
  const member = await createStaff("kam");
  const memberContext = await browser.newContext({ baseURL });
  const memberPage = await memberContext.newPage();
  await signIn(memberPage, member);
  await memberPage.goto("/clients");
  await expect(memberPage.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();

  await page.goto("/staff");
  const table = page.getByRole("table", { name: "Staff members" });
  const row = table.getByRole("row").filter({ hasText: member.email });
  await expect(row).toBeVisible();
  await expect(
    table.getByRole("button", { name: `Reset password for ${staff.admin.email}` }),
    "admins change their own password under Account security",
  ).toHaveCount(0);

  await row.getByRole("button", { name: `Reset password for ${member.email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Reset the password of ${member.name}?` });
  await expect(dialog).toContainText("signed out everywhere");
  await dialog.getByRole("button", { name: "Reset password" }).click();
  await expect(toast(page, `Reset the password of ${member.email}: their sessions have ended`)).toBeVisible();
  await expect(dialog).toBeHidden();

  const issued = page.getByRole("region", { name: "Password reset" });
  await expect(issued.getByRole("status")).toHaveText(
    `New password for ${member.name} (${member.email}). They are signed out everywhere.`,
  );
  await expect(issued.getByText("This password will not be shown again")).toBeVisible();
  const temporary = await issued.getByLabel("Temporary password").inputValue();
  expect(temporary).toMatch(/^[A-Za-z0-9_-]{24}$/);
  await issued.getByRole("button", { name: "Done" }).click();
  await expect(issued).toHaveCount(0);
  // Once: nothing on the page shows it again, not even after a reload.
  await page.reload();
  await expect(table.getByRole("row").filter({ hasText: member.email })).toBeVisible();
  await expect(page.getByLabel("Temporary password")).toHaveCount(0);

  await memberPage.goto("/clients");
  await expect(memberPage).toHaveURL(/\/login\?callbackUrl=%2Fclients$/);
  await signIn(memberPage, { email: member.email, password: temporary });
  await memberContext.close();

  const { rows } = await db.query<{ actor_id: string; after: { sessionsEnded: number } }>(
    "select actor_id, after from audit_events where entity_id = $1 and action = 'staff.password_reset'",
    [member.id],
  );
  expect(rows).toEqual([
    { actor_id: staff.admin.id, after: { failedSignIns: 0, lockedUntil: null, sessionsEnded: 1 } },
  ]);
  expect(JSON.stringify(rows)).not.toContain(temporary);
});
