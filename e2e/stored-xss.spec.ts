import { randomUUID } from "node:crypto";
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, gatehouse, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag } from "./support/data";

/**
 * Stored XSS and SQL injection through every text field the back office
 * shows back. Each field gets a payload (a script, an event handler, a
 * javascript: URL, SQL) behind a unique tag; every page that shows the field
 * is visited by an admin, and must show the payload as literal text, never
 * run it (window.__xss stays unset, no dialog opens), and the database must
 * still hold the payload verbatim.
 */

const PAYLOADS = [
  `<img src=x onerror="window.__xss=1">`,
  `"><script>window.__xss=1</script>`,
  `javascript:alert(1)`,
  `'; DROP TABLE clients; --`,
  `' OR '1'='1`,
  `<svg onload=alert(1)>`,
];

/** Calls a back-office procedure as the signed-in staff member of this request context. */
async function trpc<T>(api: APIRequestContext, path: string, input: unknown): Promise<T> {
  const response = await api.post(`/api/trpc/${path}`, { data: input });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
  return ((await response.json()) as { result: { data: T } }).result.data;
}

/** Fails the test on any dialog, and records whether a payload ran. */
function guard(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return {
    async expectNothingRan(where: string) {
      expect(
        await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss),
        `a payload ran on ${where}`,
      ).toBeUndefined();
      expect(dialogs, `a dialog opened on ${where}`).toEqual([]);
      // No element the payloads would have created exists in the document.
      expect(
        await page.locator("main img[src='x'], main svg[onload], main script:not([src])").count(),
        `markup injected on ${where}`,
      ).toBe(0);
    },
  };
}

test("text fields shown in the back office are shown literally and never run as markup or SQL", async ({
  adminPage: page,
  db,
}) => {
  test.setTimeout(240_000);
  const tag = uniqueTag();
  const field = (i: number, what: string) => `${what}${tag} ${PAYLOADS[i % PAYLOADS.length]}`;
  const api = page.request;
  const watch = guard(page);

  // Partner name (CLI), with its KAM's name (CLI), an API key label and a tier with a description and feature.
  const kamName = field(0, "Kam");
  const kamEmail = `e2e-xss-${tag}@staff.test`;
  await gatehouse([
    "staff",
    "create",
    "--email",
    kamEmail,
    "--role",
    "kam",
    "--name",
    kamName,
    "--password",
    `E2E-${randomUUID()}`,
  ]);
  const partnerName = field(1, "Partner");
  const partner = await createPartner({ name: partnerName, sandbox: true, owner: kamEmail });
  const keyLabel = field(2, "Key");
  await trpc(api, "apiKey.create", { partnerId: partner.partnerId, name: keyLabel });
  const tierName = field(3, "Tier");
  const tierDescription = field(4, "Describe");
  const tierFeature = field(5, "Feature");
  const tier = await trpc<{ id: number }>(api, "tier.create", {
    partnerId: partner.partnerId,
    name: tierName,
    description: tierDescription,
    amount: "1.00",
    currency: "EUR",
    features: [tierFeature],
  });

  // Client names through the public API, then a block with a reason and a voided invoice with one.
  const firstName = field(1, "First");
  const lastName = field(3, "Last");
  const client = await registerClient(page.context().request, partner, {
    firstName,
    lastName,
    email: `xss-${tag}@example.test`,
    countryCode: "LV",
  });
  const subscribed = await api.post("/reg/subscription", {
    headers: { authorization: `Bearer ${client.token}` },
    data: { accountId: await firstAccount(api, client.token), subscriptionDetailsId: tier.id },
  });
  expect(subscribed.status(), await subscribed.text()).toBe(201);
  const invoiceId = ((await subscribed.json()) as { id: string }).id;
  const voidReason = field(0, "Void");
  await trpc(api, "invoice.void", { invoiceId, reason: voidReason });
  const blockReason = field(4, "Block");
  await trpc(api, "client.setState", { clientId: client.clientId, state: "blocked", reason: blockReason });

  const pages: Array<{ path: string; shows: string[] }> = [
    { path: "/partners", shows: [partnerName, kamName] },
    { path: `/partners/${partner.partnerId}`, shows: [partnerName, keyLabel] },
    { path: `/clients?q=${encodeURIComponent(client.email)}`, shows: [client.email, partnerName] },
    { path: `/clients/${client.clientId}`, shows: [firstName, lastName, blockReason, voidReason] },
    { path: `/tiers?partnerId=${partner.partnerId}`, shows: [tierName] },
    { path: `/tiers/${tier.id}`, shows: [tierName, tierDescription, tierFeature] },
    { path: "/billing", shows: [voidReason, client.email] },
    { path: "/staff", shows: [kamName] },
    { path: "/audit", shows: [] },
    { path: "/overview", shows: [] },
    { path: "/pending", shows: [] },
    { path: "/kyc", shows: [] },
  ];
  for (const { path, shows } of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    for (const text of shows)
      await expect(
        page.getByText(text, { exact: false }).filter({ visible: true }).first(),
        `${path} shows ${text}`,
      ).toBeVisible();
    await watch.expectNothingRan(path);
  }

  // The values went in as data: stored verbatim, and the clients table is still there.
  const stored = await db.query<{ first_name: string; last_name: string; state: string }>(
    "select first_name, last_name, profile_state as state from clients where id = $1",
    [client.clientId],
  );
  expect(stored.rows).toEqual([{ first_name: firstName, last_name: lastName, state: "blocked" }]);
  const names = await db.query<{ name: string }>("select name from partners where id = $1", [partner.partnerId]);
  expect(names.rows).toEqual([{ name: partnerName }]);
});

async function firstAccount(api: APIRequestContext, token: string): Promise<string> {
  const response = await api.get("/wallet/accounts", { headers: { authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  return ((await response.json()) as Array<{ id: string }>)[0]!.id;
}
