import { createStaffWithCli, expect, signIn, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag } from "./support/data";
import { clientsTable, expectClientRows, openClients } from "./support/ui";

test("a KAM cannot see another KAM's partner's clients", async ({ page, request, db }) => {
  const tag = uniqueTag();
  const [kamA, kamB] = await Promise.all([createStaffWithCli("kam", "kam-a"), createStaffWithCli("kam", "kam-b")]);
  // Each partner is created owned by its KAM, as an operator scripts it.
  const [partnerA, partnerB] = await Promise.all([
    createPartner({ name: `E2E KAM A ${tag}`, owner: kamA.email }),
    createPartner({ name: `E2E KAM B ${tag}`, owner: kamB.email }),
  ]);
  const owners = await db.query<{ id: number; owner_staff_id: string }>(
    "select id, owner_staff_id from partners where id = any($1) order by id",
    [[partnerA.partnerId, partnerB.partnerId]],
  );
  // Created concurrently, so either may hold the lower id.
  const expected = [
    { id: partnerA.partnerId, owner_staff_id: kamA.id },
    { id: partnerB.partnerId, owner_staff_id: kamB.id },
  ].sort((x, y) => x.id - y.id);
  expect(owners.rows).toEqual(expected);
  const person = (first: string) => ({
    firstName: first,
    lastName: `Kam${tag}`,
    email: `${tag}.${first.toLowerCase()}@example.test`,
    countryCode: "LT",
    verificationStatus: "email_verified" as const,
    verificationLevel: 1,
  });
  const [ownClient, foreignClient] = await Promise.all([
    registerClient(request, partnerA, person("Rasa")),
    registerClient(request, partnerB, person("Tomas")),
  ]);

  await signIn(page, kamA);
  await openClients(page);

  // A new KAM owning one partner sees exactly that partner's one client: B's client is not in the list.
  await expectClientRows(page, [ownClient.email]);
  await expect(
    clientsTable(page).getByRole("row").filter({ hasText: ownClient.email }).getByRole("cell").nth(3),
  ).toHaveText(partnerA.name);
  // Not even by searching for it, and the other partner is not offered as a filter.
  await page.getByRole("searchbox", { name: "Search" }).fill(foreignClient.email);
  await expect(page.getByText("No clients match these filters")).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Partner" }).getByRole("option")).toHaveText([
    "All partners",
    `${partnerA.name} (${partnerA.partnerId})`,
  ]);

  // Read-only: no Register client in the menu.
  const nav = page.getByRole("navigation", { name: "Back office" });
  await expect(nav.getByRole("link", { name: "Clients", exact: true })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Register client" })).toHaveCount(0);

  // B's client by its address: not found, and nothing of it is shown.
  await page.goto(`/clients/${foreignClient.clientId}`);
  await expect(page.getByText("No such client")).toBeVisible();
  await expect(page.getByText(foreignClient.email)).toHaveCount(0);

  // A's own client: the page shows it, without a control that changes anything.
  await page.goto(`/clients/${ownClient.clientId}`);
  await expect(page.getByRole("heading", { level: 1, name: ownClient.email })).toBeVisible();
  await expect(page.getByRole("region", { name: "Verification" }).getByRole("definition")).toHaveText([
    "Email verified",
    "1",
  ]);
  await expect(page.getByRole("region", { name: "Sessions" }).getByRole("table", { name: "Sessions" })).toBeVisible();
  const main = page.getByRole("main");
  await expect(main.getByRole("button")).toHaveCount(0);
  await expect(main.getByRole("combobox")).toHaveCount(0);
  await expect(main.getByRole("textbox")).toHaveCount(0);
  await expect(main.getByRole("radio")).toHaveCount(0);

  // Hiding the controls is not the protection: the server refuses the change itself.
  const refused = await page.request.post("/api/trpc/client.setVerification", {
    data: {
      clientId: ownClient.clientId,
      verificationStatus: "identified",
      verificationLevel: 5,
      reason: "A KAM trying anyway",
    },
  });
  expect(refused.status()).toBe(403);
  const stored = await db.query("select verification_status, verification_level from clients where id = $1", [
    ownClient.clientId,
  ]);
  expect(stored.rows).toEqual([{ verification_status: "email_verified", verification_level: 1 }]);
});
