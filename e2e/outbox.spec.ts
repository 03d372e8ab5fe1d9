import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag } from "./support/data";

test("operations staff see a queued email and read it", async ({ operationsPage: page, request, db }) => {
  // A live (non-sandbox) partner's client: registering queues the email-confirmation message with a real code.
  const partner = await createPartner({ sandbox: false });
  const email = `${uniqueTag()}.outbox@example.test`;
  await registerClient(request, partner, { firstName: "Olive", lastName: "Outbox", email, countryCode: "LV" });
  const stored = await db.query<{ id: string; subject: string; text_body: string; status: string }>(
    "select id, subject, text_body, status from email_outbox where to_address = $1",
    [email],
  );
  expect(stored.rows).toHaveLength(1);
  const mail = stored.rows[0]!;
  const code = /^ {4}(\d{6})$/m.exec(mail.text_body)?.[1];
  expect(code, mail.text_body).toBeDefined();

  await page.goto("/outbox");
  await expect(page.getByRole("heading", { level: 1, name: "Outbox" })).toBeVisible();
  // The server under test has no SMTP_URL: the page says it is the development mailbox.
  await expect(page.getByRole("note", { name: "Development mailbox" })).toContainText("SMTP_URL is not set");
  await expect(page.getByRole("status").filter({ hasText: /^Showing \d+ emails?/ })).toBeVisible();
  await page.getByRole("searchbox", { name: "Recipient" }).fill(email);

  const table = page.getByRole("table", { name: "Emails matching the filters" });
  await expect(table.getByRole("row")).toHaveCount(2);
  const row = table.getByRole("row").filter({ hasText: email });
  const cells = row.getByRole("cell");
  await expect(cells.nth(2)).toHaveText(`${partner.name} (${partner.partnerId})`);
  await expect(cells.nth(3)).toHaveText("Queued");
  await expect(cells.nth(4)).toHaveText("0");
  await expect(row.getByRole("button", { name: /^Retry/ })).toHaveCount(0);

  await row.getByRole("link", { name: mail.subject }).click();
  await expect(page).toHaveURL(new RegExp(`/outbox/${mail.id}$`));
  await expect(page.getByRole("heading", { level: 1, name: mail.subject })).toBeVisible();
  await expect(page.getByText(`To ${email}`)).toBeVisible();
  await expect(page.getByRole("region", { name: "Delivery" })).toContainText("Queued");
  await expect(page.getByRole("region", { name: "Text version" })).toContainText(code!);
  await expect(page.getByRole("region", { name: "Text version" })).toContainText("/confirm-email");

  // The HTML body is shown in a sandbox that grants nothing: no scripts, no same-origin access.
  const frame = page.getByTitle("HTML version of the email");
  await expect(frame).toHaveAttribute("sandbox", "");
  await expect(frame.contentFrame().getByRole("link", { name: "Confirm my email address" })).toBeVisible();
  await expect(frame.contentFrame().getByText(code!, { exact: true })).toBeVisible();

  // The page around the email, that is: axe cannot run inside a frame whose sandbox forbids scripts (it would wait for it forever).
  const axe = await new AxeBuilder({ page }).exclude("iframe").analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);

  // Reading is not sending: the message is still waiting in the development mailbox.
  const after = await db.query("select status, attempts from email_outbox where id = $1", [mail.id]);
  expect(after.rows).toEqual([{ status: "queued", attempts: 0 }]);
});
