import { expect, test } from "./fixtures";
import { createPartner, uniqueTag } from "./support/data";
import { clientRow, expectClientRows, openClients, toast } from "./support/ui";

test("operations staff register a client for a partner and find it in the list", async ({
  operationsPage: page,
  staff,
  db,
}) => {
  const tag = uniqueTag();
  const partner = await createPartner({ name: `E2E Register ${tag}` });
  const email = `${tag}.sofia@example.test`;

  await page.goto("/register-client");
  await expect(page.getByRole("heading", { level: 1, name: "Register client" })).toBeVisible();
  const partnerSelect = page.getByLabel("Partner", { exact: true });
  // The partner list arrives from the API: once it is there, the form is live.
  await expect(partnerSelect.getByRole("option", { name: `${partner.name} (${partner.partnerId})` })).toBeAttached();

  await partnerSelect.selectOption({ label: `${partner.name} (${partner.partnerId})` });
  await page.getByLabel("Verification status").selectOption({ label: "Phone verified" });
  await page.getByLabel("Verification level").selectOption("2");
  await page.getByLabel("First name").fill("Sofia");
  await page.getByLabel("Last name").fill(`Register${tag}`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Birth date").fill("1988-02-29");
  await page.getByLabel("Password", { exact: true }).fill(`Register${tag}A1`);
  await page.getByLabel("The client has accepted the partner's terms of use").check();

  // No country chosen: the error shows next to the Country field and nothing is registered.
  await page.getByRole("button", { name: "Register client" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Some fields need attention." })).toBeVisible();
  const country = page.getByLabel("Country", { exact: true });
  await expect(country).toHaveAttribute("aria-invalid", "true");
  await expect(country).toHaveAccessibleDescription("countryCode must be an ISO 3166-1 alpha-2 code such as LV");
  // Only that field is in error; the others keep what was typed.
  await expect(page.getByLabel("Email", { exact: true })).toHaveAttribute("aria-invalid", "false");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  const none = await db.query("select id from clients where lower(email) = lower($1)", [email]);
  expect(none.rows).toEqual([]);

  await country.selectOption({ label: "Estonia (EE)" });
  await page.getByRole("button", { name: "Register client" }).click();
  await expect(toast(page, `Registered ${email}`)).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: `Registered ${email}.` })).toBeVisible();
  await expect(country).toHaveAttribute("aria-invalid", "false");
  // The form is ready for the next client of the same partner.
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue("");
  await expect(partnerSelect).toHaveValue(String(partner.partnerId));

  // The client is in the list, with the chosen verification.
  await openClients(page);
  await page.getByRole("searchbox", { name: "Search" }).fill(email);
  await expectClientRows(page, [email]);
  await expect(clientRow(page, email).getByRole("cell")).toHaveText([
    "", // the row's selection checkbox
    email,
    `Sofia Register${tag}`,
    partner.name,
    "Active",
    "Phone verified",
    "2",
    "EE",
    /\d{4}/,
  ]);

  // Stored as a back-office registration by this staff member.
  const stored = await db.query<{
    id: string;
    partner_id: number;
    created_via: string;
    verification_status: string;
    verification_level: number;
    country_code: string;
    birth_date: string;
  }>(
    "select id, partner_id, created_via, verification_status, verification_level, country_code, birth_date::text from clients where lower(email) = lower($1)",
    [email],
  );
  expect(stored.rows).toEqual([
    {
      id: expect.any(String),
      partner_id: partner.partnerId,
      created_via: "back_office",
      verification_status: "phone_verified",
      verification_level: 2,
      country_code: "EE",
      birth_date: "1988-02-29",
    },
  ]);
  const audited = await db.query(
    "select actor_type, actor_id from audit_events where action = 'client.register' and entity_id = $1",
    [stored.rows[0]!.id],
  );
  expect(audited.rows).toEqual([{ actor_type: "staff", actor_id: staff.operations.id }]);
});
