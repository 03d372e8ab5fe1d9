import { expect, test } from "./fixtures";
import { toast } from "./support/ui";

test("an admin finds staff actions in the audit log by actor", async ({ adminPage: page, staff, createStaff, db }) => {
  const member = await createStaff("kam");

  // The action: the admin changes a staff member's role on the Staff page.
  await page.goto("/staff");
  const staffRow = page
    .getByRole("table", { name: "Staff members" })
    .getByRole("row")
    .filter({ hasText: member.email });
  await staffRow.getByRole("combobox", { name: `Role of ${member.email}` }).selectOption({ label: "Operations" });
  await staffRow.getByRole("button", { name: `Save role for ${member.email}` }).click();
  await expect(toast(page, `${member.email} is now operations`)).toBeVisible();

  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  // The list has loaded (so the page is live) before the filter is chosen.
  await expect(page.getByRole("status").filter({ hasText: /^Showing \d+ events?/ })).toBeVisible();
  await page
    .getByRole("combobox", { name: "Actor" })
    .selectOption({ label: `${staff.admin.name} (${staff.admin.email})` });
  await expect(page).toHaveURL(new RegExp(`[?&]actorType=staff&actorId=${staff.admin.id}(&|$)`));

  const table = page.getByRole("table", { name: "Audit events matching the filters" });
  const event = table.getByRole("row").filter({ hasText: "staff.role_changed" }).filter({ hasText: member.email });
  await expect(event).toHaveCount(1);
  const cells = event.getByRole("cell");
  await expect(cells.nth(1)).toHaveText(`${staff.admin.name}${staff.admin.email}`);
  await expect(cells.nth(3)).toContainText(member.email);
  await event.getByText("Show", { exact: true }).click();
  await expect(cells.nth(6)).toContainText('"role": "kam"');
  await expect(cells.nth(6)).toContainText('"role": "operations"');
  // Only this admin's events are listed (the header row names no one), their sign-in among them, with the address it came from.
  await expect(table.getByRole("row").filter({ hasNotText: staff.admin.name })).toHaveCount(1);
  await expect(table.getByRole("row").filter({ hasText: "staff.sign_in" }).first().getByRole("cell").nth(5)).toHaveText(
    /^(127\.0\.0\.1|::1)$/,
  );

  const audited = await db.query(
    "select actor_type, actor_id, before, after from audit_events where action = 'staff.role_changed' and entity_id = $1",
    [member.id],
  );
  // A role change ends the member's sessions (this one, made by the CLI, had none).
  expect(audited.rows).toEqual([
    {
      actor_type: "staff",
      actor_id: staff.admin.id,
      before: { role: "kam" },
      after: { role: "operations", sessionsEnded: 0 },
    },
  ]);
});

test("staff who are not admins have no Audit log", async ({ operationsPage: page }) => {
  await page.goto("/outbox");
  const nav = page.getByRole("navigation", { name: "Back office" });
  await expect(nav.getByRole("link", { name: "Outbox", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Audit log", exact: true })).toHaveCount(0);

  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Only admins read the audit log" })).toBeVisible();
  expect((await page.request.get("/api/trpc/audit.list?input=%7B%7D")).status()).toBe(403);
  expect((await page.request.get("/api/audit/export")).status()).toBe(403);
});
