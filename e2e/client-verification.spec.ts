import { expect, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag } from "./support/data";
import { clientRow, expectClientRows, openClients, toast } from "./support/ui";

test("operations staff change a client's verification level with a reason", async ({
  operationsPage: page,
  staff,
  request,
  db,
}) => {
  const tag = uniqueTag();
  const partner = await createPartner();
  const client = await registerClient(request, partner, {
    firstName: "Ilze",
    lastName: `Verification${tag}`,
    email: `${tag}.ilze@example.test`,
    countryCode: "LV",
    verificationStatus: "email_verified",
    verificationLevel: 1,
  });
  const reason = `Passport and proof of address checked (${tag})`;

  // Open the client from the list.
  await openClients(page);
  await page.getByRole("searchbox", { name: "Search" }).fill(client.email);
  await expectClientRows(page, [client.email]);
  await page.getByRole("link", { name: client.email, exact: true }).click();
  await expect(page).toHaveURL(`/clients/${client.clientId}`);
  await expect(page.getByRole("heading", { level: 1, name: client.email })).toBeVisible();

  const verification = page.getByRole("region", { name: "Verification" });
  await expect(verification.getByRole("definition")).toHaveText(["Email verified", "1"]);

  // A reason is required: without one nothing is sent and the field says why.
  await verification.getByRole("combobox", { name: "Status" }).selectOption({ label: "Identified" });
  await verification.getByRole("combobox", { name: "Level" }).selectOption("3");
  await verification.getByRole("button", { name: "Change verification" }).click();
  await expect(verification.getByRole("textbox", { name: "Reason" })).toHaveAccessibleDescription(
    "Give a reason of at least 3 characters",
  );

  await verification.getByRole("textbox", { name: "Reason" }).fill(reason);
  await verification.getByRole("button", { name: "Change verification" }).click();
  await expect(toast(page, "Verification set to Identified, level 3")).toBeVisible();
  await expect(verification.getByRole("definition")).toHaveText(["Identified", "3"]);
  await expect(verification.getByRole("textbox", { name: "Reason" })).toHaveValue("");

  // The audit trail on the page names the change, who made it and why.
  const audit = page.getByRole("region", { name: "Audit trail" });
  const event = audit.getByRole("row").filter({ hasText: "client.verification_changed" });
  await expect(event).toHaveCount(1);
  await expect(event).toContainText(staff.operations.name);
  await expect(event).toContainText('"verificationLevel":1');
  await expect(event).toContainText('"verificationLevel":3');
  await expect(event).toContainText(reason);

  // And in the database: the client row, and one audit event with the reason and the actor.
  const stored = await db.query<{ verification_status: string; verification_level: number }>(
    "select verification_status, verification_level from clients where id = $1",
    [client.clientId],
  );
  expect(stored.rows).toEqual([{ verification_status: "identified", verification_level: 3 }]);
  const audited = await db.query<{ actor_type: string; actor_id: string; before: unknown; after: unknown }>(
    "select actor_type, actor_id, before, after from audit_events where entity_type = 'client' and entity_id = $1 and action = 'client.verification_changed'",
    [client.clientId],
  );
  expect(audited.rows).toEqual([
    {
      actor_type: "staff",
      actor_id: staff.operations.id,
      before: { verificationStatus: "email_verified", verificationLevel: 1 },
      after: { verificationStatus: "identified", verificationLevel: 3, reason },
    },
  ]);

  // Back in the list, the row shows the change (not the list as it was before it).
  await page.goBack();
  await expect(page).toHaveURL(/\/clients\?q=/);
  await expect(clientRow(page, client.email).getByRole("cell").nth(5)).toHaveText("Identified");
  await expect(clientRow(page, client.email).getByRole("cell").nth(6)).toHaveText("3");
});
