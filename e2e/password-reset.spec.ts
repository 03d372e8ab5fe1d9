import { expect, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag } from "./support/data";
import { toast } from "./support/ui";

const NEW_PASSWORD = "Chosen-again-42";

test("operations staff send a client a password reset, and the client chooses a new password on the reset page", async ({
  operationsPage: page,
  db,
  request,
}) => {
  const partner = await createPartner({ sandbox: true });
  const tag = uniqueTag();
  const client = await registerClient(page.request, partner, {
    firstName: "Rita",
    lastName: "Reset",
    email: `rita-${tag}@example.test`,
    countryCode: "LV",
  });

  await page.goto(`/clients/${client.clientId}`);
  const section = page.getByRole("region", { name: "Password" });
  await section.getByRole("button", { name: "Send password reset" }).click();
  const dialog = page.getByRole("dialog", { name: `Send a password reset to ${client.email}?` });
  await dialog.getByRole("button", { name: "Send password reset" }).click();
  await expect(
    toast(page, new RegExp(`^Password reset sent to ${client.email}; its link and code work until`)),
  ).toBeVisible();

  // The email the client gets: a code (a sandbox partner's is always 12345) and the link to the reset page.
  const { rows } = await db.query<{ text_body: string }>(
    "select text_body from email_outbox where to_address = $1 and template = 'password_reset_code' order by created_at desc limit 1",
    [client.email],
  );
  expect(rows[0]?.text_body).toContain("12345");
  const link = /https?:\/\/\S+\/reset-password\?\S+/.exec(rows[0]?.text_body ?? "")?.[0];
  expect(link, "the reset link in the email").toBeDefined();
  const address = new URL(link!);
  expect(address.searchParams.get("partnerId")).toBe(String(partner.partnerId));

  // The client opens the link (a fresh browser: no staff session).
  const browserPage = await page.context().browser()!.newPage();
  try {
    await browserPage.goto(`${address.pathname}${address.search}`);
    await expect(browserPage.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
    const password = browserPage.getByLabel("New password", { exact: true });
    const again = browserPage.getByLabel("The new password again");
    const submit = browserPage.getByRole("button", { name: "Change my password" });

    await password.fill(NEW_PASSWORD);
    await again.fill(`${NEW_PASSWORD}x`);
    await submit.click();
    const differ = browserPage.getByRole("alert").filter({ hasText: "The two passwords differ" });
    await expect(differ).toBeVisible();
    // Corrected: the message goes before the form is sent again.
    await again.fill(NEW_PASSWORD);
    await expect(differ).toHaveCount(0);

    // The client's flavour's policy is the server's to apply.
    await password.fill("short");
    await again.fill("short");
    await submit.click();
    await expect(
      browserPage.getByRole("alert").filter({ hasText: /^Password must be at least 8 characters/ }),
    ).toBeVisible();

    await password.fill(NEW_PASSWORD);
    await again.fill(NEW_PASSWORD);
    await submit.click();
    await expect(browserPage.getByRole("status")).toHaveText(/Your password is changed/);
  } finally {
    await browserPage.close();
  }

  // The new password signs the client in; the reset used up its link.
  const headers = { partnerId: String(partner.partnerId) };
  const signedIn = await request.post("/api/public/authenticate", {
    headers,
    data: { username: client.email, password: NEW_PASSWORD },
  });
  expect(signedIn.status(), await signedIn.text()).toBe(200);
  const reused = await request.post("/api/public/password/reset", {
    headers,
    data: { token: address.searchParams.get("token"), password: `${NEW_PASSWORD}b` },
  });
  expect(reused.status()).toBeGreaterThanOrEqual(400);
});
