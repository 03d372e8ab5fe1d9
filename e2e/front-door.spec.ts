import { expect, signIn, test } from "./fixtures";

test("a visitor finds the staff sign-in beside the API links, and it leads to the login form", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Gatehouse" })).toBeVisible();
  const links = page.getByRole("main").getByRole("listitem");
  await expect(links.getByRole("link", { name: "API documentation" })).toBeVisible();
  await expect(links.getByRole("link", { name: "Health" })).toBeVisible();

  await links.getByRole("link", { name: "Staff sign in" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Email" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("signed-in staff opening the front door land on the Overview", async ({ operationsPage: page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
});

test("a revoked session is signed out at the front door, though its cookie stays", async ({
  page,
  createStaff,
  db,
}) => {
  const staff = await createStaff("kam");
  await signIn(page, staff);
  await page.goto("/");
  await expect(page).toHaveURL(/\/overview$/);

  // Revoked on the server, as signing out elsewhere or a password reset does.
  await db.query("update staff_sessions set revoked_at = now() where staff_id = $1 and revoked_at is null", [staff.id]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Staff sign in" })).toBeVisible();
});
