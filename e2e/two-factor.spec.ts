import { currentTotp } from "../server/staff/totp";
import { expect, signIn, test } from "./fixtures";

test("staff enrol in TOTP and then need a code to sign in", async ({ page, createStaff, db }) => {
  const staff = await createStaff("operations");
  await signIn(page, staff);

  await page.goto("/account/security");
  await expect(page.getByRole("heading", { level: 1, name: "Account security" })).toBeVisible();
  await page.getByRole("button", { name: "Start setup" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);

  // A wrong code is refused in place and nothing is stored.
  await page
    .getByRole("textbox", { name: "Code from the app" })
    .fill(String((Number(currentTotp(secret)) + 500_000) % 1_000_000).padStart(6, "0"));
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await expect(page.getByText("That code does not match")).toBeVisible();

  await page.getByRole("textbox", { name: "Code from the app" }).fill(currentTotp(secret));
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Two-factor authentication is on" })).toBeVisible();
  const { rows } = await db.query<{ totp_secret: string | null }>("select totp_secret from staff_users where id = $1", [
    staff.id,
  ]);
  // Stored sealed (AES-GCM under a key from AUTH_SECRET), never as the setup key itself.
  expect(rows[0]?.totp_secret).toMatch(/^v1\./);
  expect(rows[0]?.totp_secret).not.toContain(secret);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.getByRole("textbox", { name: "Email" }).fill(staff.email);
  await page.getByLabel("Password").fill(staff.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const code = page.getByRole("textbox", { name: "Authentication code" });
  await expect(code).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Enter the 6-digit code" })).toBeVisible();
  await expect(code).toBeFocused();

  await code.fill(currentTotp(secret));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByRole("banner").getByText(staff.name, { exact: true })).toBeVisible();
});
