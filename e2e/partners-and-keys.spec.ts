import { expect, signIn, test } from "./fixtures";
import { uniqueTag } from "./support/data";
import { toast } from "./support/ui";

test("a KAM creates a partner and a master key, the key registers a client with a verification level, and revoking it refuses the next call", async ({
  kamPage: page,
  staff,
  request,
  db,
  browser,
}) => {
  const tag = uniqueTag();
  const partnerName = `E2E Partner ${tag}`;
  const keyName = `Backend ${tag}`;

  await page.goto("/partners");
  await expect(page.getByRole("heading", { level: 1, name: "Partners" })).toBeVisible();
  // The list has loaded, so the page is live before the form is filled in.
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: /^\d+ partners?, / })
      .or(page.getByText("No partners yet")),
  ).toBeVisible();

  const addForm = page.getByRole("region", { name: "Add partner" });
  await addForm.getByRole("textbox", { name: "Name" }).fill(partnerName);
  await addForm.getByRole("button", { name: "Add partner" }).click();
  await expect(toast(page, new RegExp(`Created partner ${partnerName} with partnerId \\d+`))).toBeVisible();
  const partnerId = Number(await addForm.getByRole("textbox", { name: "New partnerId" }).inputValue());
  expect(partnerId).toBeGreaterThan(0);

  // The KAM who created it owns it.
  const partnerRow = page
    .getByRole("table", { name: "Partners" })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: partnerName, exact: true }) });
  const partnerCells = partnerRow.getByRole("cell");
  await expect(partnerCells.nth(0)).toHaveText(String(partnerId));
  await expect(partnerCells.nth(1)).toHaveText("Active");
  await expect(partnerCells.nth(3)).toHaveText(staff.kam.name);

  await addForm.getByRole("link", { name: `Open ${partnerName}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: partnerName })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/partners/${partnerId}$`));

  const keys = page.getByRole("region", { name: "API keys" });
  await expect(keys.getByText("No API keys yet")).toBeVisible();
  await keys.getByRole("textbox", { name: "Key name" }).fill(keyName);
  await keys.getByRole("button", { name: "Create key" }).click();
  await expect(toast(page, `Created key ${keyName}`)).toBeVisible();
  await expect(keys.getByText("This key won't be shown again")).toBeVisible();
  await expect(keys.getByRole("button", { name: "Copy key" })).toBeVisible();
  const masterKey = await keys.getByRole("textbox", { name: "New master API key" }).inputValue();
  expect(masterKey).toMatch(/^ghk_[A-Za-z0-9_-]{40,}$/);

  const keyRow = keys.getByRole("table", { name: "Master API keys" }).getByRole("row").filter({ hasText: keyName });
  const keyCells = keyRow.getByRole("cell");
  await expect(keyCells.nth(0)).toHaveText(`${masterKey.slice(0, 12)}…`);
  await expect(keyCells.nth(1)).toHaveText(staff.kam.name);
  await expect(keyCells.nth(3)).toHaveText("Never");
  await expect(keyCells.nth(4)).toHaveText("Active");

  // The partner's backend uses the key at once: it may set the verification fields.
  const email = `e2e-${tag}@example.test`;
  const body = (address: string) => ({
    firstName: "Key",
    lastName: `Holder${tag}`,
    email: address,
    countryCode: "EE",
    password: `Pw${tag}9`,
    referralCode: null,
    agreed: true,
    birthDate: "1991-02-03",
  });
  const registered = await request.post("/api/public/register", {
    headers: { Authorization: `Bearer ${masterKey}` },
    data: { ...body(email), verificationStatus: "identified", verificationLevel: 3 },
  });
  expect(registered.status(), await registered.text()).toBe(201);
  const { clientId } = (await registered.json()) as { clientId: string };

  await page.reload();
  await expect(keyCells.nth(3)).toHaveText(/ UTC$/);

  await keyRow.getByRole("button", { name: `Revoke key ${keyName}` }).click();
  const dialog = page.getByRole("dialog", { name: `Revoke key ${keyName}?` });
  await expect(dialog).toContainText(`Calls with ${masterKey.slice(0, 12)}… are refused from the very next request`);
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  await expect(toast(page, `Revoked key ${keyName}: calls with it are refused from now on`)).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(keyCells.nth(4)).toHaveText(/^Revoked .* UTC$/);
  await expect(keyRow.getByRole("button", { name: `Revoke key ${keyName}` })).toHaveCount(0);

  // The very next call with the key is refused, and nothing is created.
  const refused = await request.post("/api/public/register", {
    headers: { Authorization: `Bearer ${masterKey}` },
    data: { ...body(`e2e-${tag}-after@example.test`), verificationLevel: 3 },
  });
  expect(refused.status(), await refused.text()).toBe(401);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");

  // The use of the revoked key is a security event in the audit log.
  const audit = await db.query<{ action: string; actor_type: string; actor_id: string }>(
    "select action, actor_type, actor_id from audit_events where entity_type = 'api_key' and partner_id = $1 order by id",
    [partnerId],
  );
  expect(audit.rows.map((r) => [r.action, r.actor_type])).toEqual([
    ["api_key.create", "staff"],
    ["api_key.revoke", "staff"],
    ["api_key.revoked_use", "api_key"],
  ]);
  expect(audit.rows[0]!.actor_id).toBe(staff.kam.id);

  // The client registered with the key carries the level the key set; the KAM sees it on the partner's client.
  await page.goto(`/clients/${clientId}`);
  await expect(page.getByRole("heading", { level: 1, name: email })).toBeVisible();
  await expect(page.getByRole("region", { name: "Verification" }).getByRole("definition")).toHaveText([
    "Identified",
    "3",
  ]);

  // An admin reads these actions in the audit log, each with its actor.
  const adminContext = await browser.newContext();
  try {
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, staff.admin);
    await adminPage.goto(`/audit?partnerId=${partnerId}`);
    await expect(adminPage.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
    const events = adminPage.getByRole("table", { name: "Audit events matching the filters" });
    const actorOf = (action: string) =>
      events
        .getByRole("row")
        .filter({ has: adminPage.getByRole("cell", { name: action, exact: true }) })
        .getByRole("cell")
        .nth(1);
    await expect(actorOf("partner.create")).toHaveText(`${staff.kam.name}${staff.kam.email}`);
    await expect(actorOf("api_key.create")).toHaveText(`${staff.kam.name}${staff.kam.email}`);
    await expect(actorOf("api_key.revoke")).toHaveText(`${staff.kam.name}${staff.kam.email}`);
    await expect(actorOf("api_key.revoked_use")).toContainText(/API key/i);
  } finally {
    await adminContext.close();
  }
});
