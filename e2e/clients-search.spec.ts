import { expect, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag, type ClientSpec } from "./support/data";
import { clientsTable, expectClientRows, openClients } from "./support/ui";

test("operations staff search and filter clients", async ({ operationsPage: page, request }) => {
  const tag = uniqueTag();
  const [north, south] = await Promise.all([
    createPartner({ name: `E2E North ${tag}` }),
    createPartner({ name: `E2E South ${tag}` }),
  ]);
  // The tag starts every email and ends every last name, so only this test's clients can match.
  const person = (
    first: string,
    last: string,
    countryCode: string,
    verificationStatus: ClientSpec["verificationStatus"],
    verificationLevel: number,
  ): ClientSpec => ({
    firstName: first,
    lastName: `${last}${tag}`,
    email: `${tag}.${first.toLowerCase()}@example.test`,
    countryCode,
    verificationStatus,
    verificationLevel,
  });
  const ana = person("Ana", "Liepa", "LV", "identified", 3);
  const anders = person("Anders", "Liepa", "SE", "not_verified", 0);
  const boris = person("Boris", "Ozols", "LV", "email_verified", 1);
  const chloe = person("Chloe", "Martin", "FR", "identified", 2);
  const dana = person("Dana", "Liepa", "LV", "identified", 3);
  const emil = person("Emil", "Ozols", "DE", "not_verified", 0);
  await Promise.all([
    ...[ana, anders, boris, chloe].map((c) => registerClient(request, north, c)),
    ...[dana, emil].map((c) => registerClient(request, south, c)),
  ]);

  await openClients(page);
  // Email order keeps the expected rows independent of creation times.
  await page.getByRole("combobox", { name: "Sort by" }).selectOption({ label: "Email A–Z" });
  const search = page.getByRole("searchbox", { name: "Search" });

  // The start of an email: "<tag>.an" is Ana and Anders, not the other four.
  await search.fill(`${tag}.an`);
  await expectClientRows(page, [ana.email, anders.email]);

  // A full name, and a last name on its own.
  await search.fill(`Ana Liepa${tag}`);
  await expectClientRows(page, [ana.email]);
  await search.fill(`liepa${tag}`);
  await expectClientRows(page, [ana.email, anders.email, dana.email]);

  // Filters combine: partner, then country, then verification status.
  await search.clear();
  await page.getByRole("combobox", { name: "Partner" }).selectOption({ label: `${north.name} (${north.partnerId})` });
  await expectClientRows(page, [ana.email, anders.email, boris.email, chloe.email]);
  await page.getByRole("combobox", { name: "Country" }).selectOption({ label: "Latvia (LV)" });
  await expectClientRows(page, [ana.email, boris.email]);
  await page.getByRole("combobox", { name: "Verification status" }).selectOption({ label: "Identified" });
  await expectClientRows(page, [ana.email]);

  // The row shows what the filters matched on.
  const row = clientsTable(page).getByRole("row").filter({ hasText: ana.email });
  await expect(row.getByRole("cell")).toHaveText([
    "", // the row's selection checkbox
    ana.email,
    `Ana Liepa${tag}`,
    north.name,
    "Active",
    "Identified",
    "3",
    "LV",
    /\d{4}/,
  ]);

  // The same filters on the other partner find its own Latvian, identified client.
  await page.getByRole("combobox", { name: "Partner" }).selectOption({ label: `${south.name} (${south.partnerId})` });
  await expectClientRows(page, [dana.email]);

  // The filters live in the address: a reload shows the same view.
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("LV");
  await expectClientRows(page, [dana.email]);

  // Nothing matches: the empty state says so, and there is no table.
  await search.fill(`${tag}.nobody`);
  await expect(page.getByText("No clients match these filters")).toBeVisible();
  await expect(clientsTable(page)).toHaveCount(0);

  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(search).toHaveValue("");
  await expect(page.getByRole("combobox", { name: "Partner" })).toHaveValue("");
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("");
  await expect(clientsTable(page).getByRole("link").first()).toBeVisible();
});

test("operations staff load more clients, page after page, without repeats", async ({
  operationsPage: page,
  request,
}) => {
  const tag = uniqueTag();
  const partner = await createPartner({ name: `E2E Pages ${tag}` });
  const specs: ClientSpec[] = Array.from({ length: 53 }, (_, i) => ({
    firstName: "Page",
    lastName: `Reader${tag}`,
    email: `${tag}.${String(i).padStart(2, "0")}@example.test`,
    countryCode: "LV",
    verificationStatus: "not_verified",
    verificationLevel: 0,
  }));
  for (let i = 0; i < specs.length; i += 8)
    await Promise.all(specs.slice(i, i + 8).map((c) => registerClient(request, partner, c)));
  const emails = specs.map((c) => c.email);

  // The first 50 arrive with the page itself.
  await openClients(page, `?q=${tag}.&sort=email_asc`);
  await expect(clientsTable(page).getByRole("link")).toHaveText(emails.slice(0, 50));
  await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText("Showing 50 clients; more match.");

  const action = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
  await page.getByRole("button", { name: "Load more" }).click();
  await expectClientRows(page, emails);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);

  // "Load more" is a server action: a POST anyone can send. Replayed with the session cookie from
  // another site, it is refused; from the back office's own origin, it answers the same rows.
  const sent = await action;
  const replay = (origin: string) =>
    page.request.post(sent.url(), {
      headers: {
        "next-action": sent.headers()["next-action"]!,
        "content-type": sent.headers()["content-type"]!,
        origin,
      },
      data: sent.postData()!,
      maxRedirects: 0,
    });
  const forged = await replay("http://evil.example.test");
  expect(forged.status(), "a cross-origin action call").toBe(403);
  expect(await forged.json()).toMatchObject({
    error: { code: "forbidden", message: "Cross-site requests are refused" },
  });
  const own = await replay(new URL(page.url()).origin);
  expect(own.status()).toBe(200);
  expect(await own.text()).toContain(emails[52]!);

  // A new search starts again from its own first page.
  await page.getByRole("searchbox", { name: "Search" }).fill(`${tag}.5`);
  await expectClientRows(page, emails.slice(50));
  await expect(page).toHaveURL(new RegExp(`[?&]q=${tag}\\.5(&|$)`));
});

test("invalid filters in the address are named in the form, and correcting one shows the clients", async ({
  operationsPage: page,
}) => {
  await page.goto("/clients?verificationLevel=9&createdFrom=2026-13-01");
  await expect(page.getByRole("alert").filter({ hasText: "Some filters are not valid" })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Verification level" })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Created from")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("link", { name: "Export CSV" })).toHaveCount(0);

  await page.getByRole("combobox", { name: "Verification level" }).selectOption("0");
  await page.getByLabel("Created from").fill("2020-01-01");
  await expect(page.getByRole("alert").filter({ hasText: "Some filters are not valid" })).toHaveCount(0);
  await expect(page.getByRole("combobox", { name: "Verification level" })).toHaveAttribute("aria-invalid", "false");
  await expect(page.getByRole("link", { name: "Export CSV" })).toBeVisible();
  await expect(page).toHaveURL(/verificationLevel=0/);
});

test("filters chosen one after another while the list is still loading all apply", async ({
  operationsPage: page,
  request,
}) => {
  const tag = uniqueTag();
  const partner = await createPartner({ name: `E2E Quick ${tag}` });
  const person = (
    first: string,
    countryCode: string,
    verificationStatus: ClientSpec["verificationStatus"],
  ): ClientSpec => ({
    firstName: first,
    lastName: `Quick${tag}`,
    email: `${tag}.${first.toLowerCase()}@example.test`,
    countryCode,
    verificationStatus,
    verificationLevel: verificationStatus === "identified" ? 2 : 0,
  });
  const [ines, joao, karl] = [
    person("Ines", "PT", "identified"),
    person("Joao", "PT", "not_verified"),
    person("Karl", "DE", "identified"),
  ];
  await Promise.all([ines, joao, karl].map((c) => registerClient(request, partner, c)));
  await openClients(page, `?q=${tag}.&sort=email_asc`);
  await expectClientRows(page, [ines.email, joao.email, karl.email]);

  // A slow network: each new list takes a while to arrive, so the second and third choices are
  // made while the first one's list is still on its way (the old rows stay, marked busy).
  let slow = true;
  await page.route(/\/clients\?/, async (route) => {
    if (slow && route.request().headers()["rsc"]) await new Promise((resolve) => setTimeout(resolve, 700));
    await route.continue();
  });
  await page.getByRole("combobox", { name: "Country" }).selectOption({ label: "Portugal (PT)" });
  await page.getByRole("combobox", { name: "Verification status" }).selectOption({ label: "Identified" });
  await page.getByRole("combobox", { name: "State" }).selectOption({ label: "Active" });
  await expect(page.locator("[aria-busy=true]")).toHaveCount(1);
  await expectClientRows(page, [ines.email]);
  await expect(page).toHaveURL(/countryCode=PT/);
  await expect(page).toHaveURL(/verificationStatus=identified/);
  await expect(page).toHaveURL(/state=active/);
  await expect(page.locator("[aria-busy=true]")).toHaveCount(0);
  slow = false;

  // The navigation's "Clients" link, from the filtered list: the form follows the address it leads to.
  await page
    .getByRole("navigation", { name: "Back office" })
    .getByRole("link", { name: "Clients", exact: true })
    .click();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("");
  await expect(page.getByRole("combobox", { name: "Verification status" })).toHaveValue("");
  await expect(page.getByRole("searchbox", { name: "Search" })).toHaveValue("");
});
