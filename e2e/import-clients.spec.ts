import { readFile } from "node:fs/promises";
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";
import { createPartner, parseCsv, uniqueTag } from "./support/data";
import { clientRow, clientsTable, openClients } from "./support/ui";

const HEADER = "email,firstName,lastName,countryCode,birthDate,verificationStatus,verificationLevel,passwordHash";

test("operations staff import clients from a CSV with a dry run", async ({ operationsPage: page, db }) => {
  const partner = await createPartner();
  const t = uniqueTag();
  const valid = [`ada.${t}@example.test`, `bo.${t}@example.test`, `cy.${t}@example.test`];
  const invalid = `bad.${t}@example.test`;
  const csv = [
    HEADER,
    `${valid[0]},Ada,Import,LV,1990-01-02,email_verified,1,`,
    `${valid[1]},Bo,Import,EE,1985-11-30,not_verified,0,`,
    `${invalid},Bad,Import,XX,1991-03-04,not_verified,0,`,
    `${valid[2]},"Cy, Jr.",Import,LT,1970-07-07,identified,3,`,
  ].join("\n");

  await page.goto("/overview");
  await page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Import clients" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import clients" })).toBeVisible();
  const upload = page.getByRole("button", { name: "Upload and check" });
  await expect(upload).toBeEnabled();
  await page
    .getByRole("combobox", { name: "Partner" })
    .selectOption({ label: `${partner.name} (${partner.partnerId})` });
  await page.getByLabel("CSV file").setInputFiles({
    name: `clients-${t}.csv`,
    mimeType: "text/csv",
    buffer: Buffer.from(csv),
  });
  await upload.click();

  // The dry run: counts, the invalid row with its reason, nothing imported yet.
  // The upload answers once every row is checked: real work, given more time than a click.
  await expect(page).toHaveURL(/\/imports\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { level: 1, name: `Import for ${partner.name}` })).toBeVisible();
  const dryRun = page.getByRole("region", { name: "Dry run" });
  await expect(dryRun.getByRole("term")).toHaveText(["Rows", "Ready", "Invalid", "Duplicates", "Imported"]);
  await expect(dryRun.getByRole("definition")).toHaveText(["4", "3", "1", "0", "0"]);
  const invalidRow = page.getByRole("table", { name: "Invalid rows" }).getByRole("row").filter({ hasText: invalid });
  await expect(invalidRow.getByRole("cell")).toHaveText([
    "4",
    invalid,
    "countryCode",
    "countryCode must be an ISO 3166-1 alpha-2 code such as LV",
  ]);

  // The error report names the same row.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download error report (CSV)" }).click();
  const report = parseCsv(await readFile(await (await download).path(), "utf8"));
  expect(report.filter((r) => r.length > 1)).toEqual([
    ["line", "email", "field", "message"],
    ["4", invalid, "countryCode", "countryCode must be an ISO 3166-1 alpha-2 code such as LV"],
  ]);

  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);

  // Both sends are off unless ticked; starting asks first.
  await expect(page.getByRole("checkbox", { name: "Send welcome / confirmation emails" })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: "Send client.registered webhooks" })).not.toBeChecked();
  await page.getByRole("button", { name: "Start import" }).click();
  const confirm = page.getByRole("dialog", { name: `Import 3 clients into ${partner.name}?` });
  await expect(confirm).toContainText("No email is sent to the clients.");
  await confirm.getByRole("button", { name: "Start import" }).click();

  // The page follows the job until it is done.
  await expect(page.getByRole("status").filter({ hasText: "Imported 3 clients." })).toBeVisible({ timeout: 30_000 });
  await expect(dryRun.getByRole("definition")).toHaveText(["4", "3", "1", "0", "3"]);
  await expect(page.getByRole("region", { name: "Status" }).getByRole("definition").first()).toHaveText("Off");
  await expect(page.getByRole("button", { name: "Cancel import" })).toHaveCount(0);

  // No email went to the imported clients: the job did not ask for any.
  const emails = await db.query("select count(*)::int as n from email_outbox where to_address = any($1)", [valid]);
  expect(emails.rows).toEqual([{ n: 0 }]);

  // The recent imports list the job as completed.
  await page.getByRole("link", { name: "← Import clients" }).click();
  const job = page
    .getByRole("table", { name: /^Recent imports/ })
    .getByRole("row")
    .filter({ hasText: `clients-${t}.csv` });
  await expect(job).toContainText("Completed");

  // The Clients list, filtered to the partner, has the three clients and not the invalid row.
  await openClients(page, `?partnerId=${partner.partnerId}`);
  for (const email of valid) await expect(clientRow(page, email)).toBeVisible();
  await expect(clientsTable(page).getByRole("link")).toHaveCount(3);
  await expect(clientsTable(page).getByText(invalid)).toHaveCount(0);
});

test("a key account manager has no Import clients page", async ({ kamPage: page }) => {
  await page.goto("/overview");
  await expect(
    page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Clients", exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Import clients" }),
  ).toHaveCount(0);
  await page.goto("/imports");
  await expect(page.getByRole("heading", { level: 1, name: "Import clients" })).toBeVisible();
  await expect(
    page
      .getByRole("alert")
      .filter({ hasText: "Importing clients is for operations staff and admins; ask one of them." }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Upload and check" })).toHaveCount(0);
});
