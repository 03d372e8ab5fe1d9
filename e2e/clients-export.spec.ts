import { readFile } from "node:fs/promises";
import { expect, test } from "./fixtures";
import { createPartner, parseCsv, registerClient, uniqueTag } from "./support/data";
import { expectClientRows, openClients } from "./support/ui";

const HEADER = [
  "id",
  "email",
  "first_name",
  "last_name",
  "partner_id",
  "partner_name",
  "state",
  "verification_status",
  "verification_level",
  "country_code",
  "created_at",
  "created_via",
];

test("staff export the filtered clients as CSV", async ({ operationsPage: page, staff, request, db }) => {
  const tag = uniqueTag();
  const [partner, other] = await Promise.all([createPartner({ name: `E2E Export, "quoted" ${tag}` }), createPartner()]);
  const client = (first: string, countryCode: string, level: number) => ({
    firstName: first,
    lastName: `Export${tag}`,
    email: `${tag}.${first.toLowerCase()}@example.test`,
    countryCode,
    verificationStatus: "identified" as const,
    verificationLevel: level,
  });
  const [liga, maris] = await Promise.all([
    registerClient(request, partner, client("Liga", "LV", 2)),
    registerClient(request, partner, client("Maris", "LV", 4)),
    // Same partner, other country; and the same country at another partner: neither may be exported.
    registerClient(request, partner, client("Kadri", "EE", 2)),
    registerClient(request, other, client("Janis", "LV", 2)),
  ]);

  await openClients(page);
  await page
    .getByRole("combobox", { name: "Partner" })
    .selectOption({ label: `${partner.name} (${partner.partnerId})` });
  await page.getByRole("combobox", { name: "Country" }).selectOption({ label: "Latvia (LV)" });
  await page.getByRole("combobox", { name: "Sort by" }).selectOption({ label: "Email A–Z" });
  await expectClientRows(page, [liga.email, maris.email]);

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^clients-\d{8}\.csv$/);
  const rows = parseCsv(await readFile(await download.path(), "utf8"));

  // Exactly the filtered clients, in the list's order, each with every column.
  expect(rows[0]).toEqual(HEADER);
  expect(rows.slice(1).map((r) => Object.fromEntries(HEADER.map((h, i) => [h, r[i]])))).toEqual(
    [liga, maris].map((c) => ({
      id: c.clientId,
      email: c.email,
      first_name: c.firstName,
      last_name: c.lastName,
      partner_id: String(partner.partnerId),
      partner_name: partner.name,
      state: "active",
      verification_status: "identified",
      verification_level: String(c.verificationLevel),
      country_code: "LV",
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      created_via: "white_label_api",
    })),
  );
  expect(rows).toHaveLength(3);

  // Who took which slice of the client base is on record.
  const audited = await db.query<{ after: { filters: Record<string, unknown> } }>(
    "select after from audit_events where action = 'client.export' and actor_type = 'staff' and actor_id = $1 and partner_id = $2",
    [staff.operations.id, partner.partnerId],
  );
  expect(audited.rows.map((r) => r.after.filters)).toEqual([
    { partnerId: partner.partnerId, countryCode: "LV", sort: "email_asc" },
  ]);
});
