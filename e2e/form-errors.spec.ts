import { expect, test } from "./fixtures";
import { uniqueTag } from "./support/data";

test("a field's error goes as soon as the field is corrected, before the form is sent again", async ({
  kamPage: page,
  db,
}) => {
  await page.goto("/partners");
  // The list has loaded, so the page is live before the form is filled in.
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: /^\d+ partners?, / })
      .or(page.getByText("No partners yet")),
  ).toBeVisible();

  const addForm = page.getByRole("region", { name: "Add partner" });
  const name = addForm.getByRole("textbox", { name: "Name" });
  const tooShort = addForm.getByText("Name must be at least 2 characters");
  await name.fill("A");
  await addForm.getByRole("button", { name: "Add partner" }).click();
  await expect(tooShort).toBeVisible();
  await expect(name).toHaveAttribute("aria-invalid", "true");

  // Still too short: the message stays, checked again with the form's schema.
  await name.fill("B");
  await expect(tooShort).toBeVisible();

  // Long enough: the message goes at once, though nothing was sent.
  const partnerName = `E2E corrected ${uniqueTag()}`;
  await name.fill(partnerName);
  await expect(tooShort).toHaveCount(0);
  await expect(name).toHaveAttribute("aria-invalid", "false");
  const { rows } = await db.query("select 1 from partners where name = $1", [partnerName]);
  expect(rows).toHaveLength(0);
});
