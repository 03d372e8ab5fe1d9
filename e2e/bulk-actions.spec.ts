import { expect, signIn, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag } from "./support/data";
import { clientsTable, openClients } from "./support/ui";

test("operations staff block three selected clients with a reason", async ({
  operationsPage: page,
  staff,
  browser,
  request,
  db,
}) => {
  // A partner made with the CLI, three registrations and a second signed-in browser: more than the default budget.
  test.slow();
  const partner = await createPartner();
  const tag = uniqueTag();
  const picked = [];
  for (const n of [1, 2, 3])
    picked.push(
      await registerClient(request, partner, {
        firstName: `Bulk${n}`,
        lastName: `Case${tag}`,
        email: `bulk-${n}-${tag}@e2e.test`,
        countryCode: "LT",
      }),
    );

  await openClients(page, `?partnerId=${partner.partnerId}`);
  const table = clientsTable(page);
  for (const c of picked) await table.getByRole("checkbox", { name: `Select ${c.email}` }).check();
  const bar = page.getByRole("region", { name: "Bulk actions" });
  await expect(bar.getByRole("status")).toHaveText("3 clients selected");

  await bar.getByRole("button", { name: "Block", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Block 3 clients?" });
  // No reason: the field says so, in place, and nothing is sent.
  await dialog.getByRole("button", { name: "Block 3 clients" }).click();
  const reason = dialog.getByRole("textbox", { name: "Reason" });
  await expect(reason).toHaveAccessibleDescription("Give a reason of at least 3 characters");
  await reason.fill("Chargeback ring, confirmed by the partner");
  await dialog.getByRole("button", { name: "Block 3 clients" }).click();

  const result = page.getByRole("region", { name: "Block: finished" });
  await expect(result).toContainText(/Done\s*3/);
  await expect(result).toContainText(/Skipped\s*0/);
  for (const c of picked) {
    await expect(result.getByRole("row").filter({ hasText: c.email })).toContainText("Done");
    await expect(table.getByRole("row").filter({ hasText: c.email })).toContainText("Blocked");
  }

  const audited = await db.query<{ entity_id: string; bulk: string; reason: string }>(
    `select entity_id, after->>'bulkOperationId' as bulk, after->>'reason' as reason
       from audit_events where action = 'client.state_changed' and partner_id = $1`,
    [partner.partnerId],
  );
  expect(audited.rows.map((r) => r.entity_id).sort()).toEqual(picked.map((c) => c.clientId).sort());
  expect(new Set(audited.rows.map((r) => r.bulk)).size).toBe(1);
  expect(audited.rows.every((r) => r.reason === "Chargeback ring, confirmed by the partner")).toBe(true);

  // Operations staff have no Audit log: an admin reads the three entries there.
  const adminContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  try {
    const admin = await adminContext.newPage();
    await signIn(admin, staff.admin);
    await admin.goto(`/audit?action=client.state_changed&partnerId=${partner.partnerId}`);
    await expect(admin.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
    const events = admin.getByRole("table", { name: "Audit events matching the filters" });
    const rows = events.getByRole("row").filter({ hasText: "client.state_changed" });
    await expect(rows).toHaveCount(3);
    for (const c of picked) await expect(rows.filter({ hasText: c.clientId })).toHaveCount(1);
  } finally {
    await adminContext.close();
  }
});
