import { expect, test } from "./fixtures";
import { creditAccount, createTier, payInvoice, registerApiClient, subscribe } from "./support/billing";
import { createPartner, uniqueTag } from "./support/data";
import { toast } from "./support/ui";
import type { Page } from "@playwright/test";

/** Opens Subscriptions & invoices and narrows both lists to one client. */
async function openBillingFor(page: Page, email: string) {
  await page.goto("/billing");
  await expect(page.getByRole("heading", { level: 1, name: "Subscriptions & invoices" })).toBeVisible();
  const subscriptions = page.getByRole("region", { name: "Subscriptions", exact: true });
  const invoices = page.getByRole("region", { name: "Invoices", exact: true });
  for (const section of [subscriptions, invoices]) {
    // The list has loaded, so the page is live before the filter is typed in.
    await expect(section.getByRole("status").filter({ hasText: /^Showing \d+ / })).toBeVisible();
    await section.getByRole("searchbox", { name: "Client email" }).fill(email);
  }
  const rowOf = (section: typeof subscriptions) =>
    section
      .getByRole("table", { name: /matching the filters$/ })
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: email, exact: true }) });
  return { subscriptions, invoices, subscriptionRow: rowOf(subscriptions), invoiceRow: rowOf(invoices) };
}

test("operations staff create a tier", async ({ operationsPage: page, staff, db }) => {
  const tag = uniqueTag();
  const partner = await createPartner({ sandbox: true });
  const basic = `Basic ${tag}`;
  const gold = `Gold ${tag}`;
  await createTier(partner.partnerId, { name: basic, amount: "4.99" });

  await page.goto("/tiers");
  await expect(page.getByRole("heading", { level: 1, name: "Subscription tiers" })).toBeVisible();
  await page
    .getByRole("combobox", { name: "Partner" })
    .selectOption({ label: `${partner.name} (${partner.partnerId})` });
  await expect(page).toHaveURL(new RegExp(`/tiers\\?partnerId=${partner.partnerId}$`));
  const tiers = page.getByRole("table", { name: `Tiers of ${partner.name}, in the order clients see them` });
  await expect(tiers.getByRole("link")).toHaveText([basic]);

  const form = page.getByRole("region", { name: "New tier" });
  const name = form.getByRole("textbox", { name: "Name" });
  const amount = form.getByRole("textbox", { name: "Amount", exact: true });
  // The partner's default currency is proposed.
  await expect(form.getByRole("textbox", { name: "Currency" })).toHaveValue("EUR");

  // The schema's rules apply in place before anything is sent...
  await name.fill(basic.toLowerCase());
  await amount.fill("12.345");
  await form.getByRole("button", { name: "Create tier" }).click();
  await expect(amount).toHaveAccessibleDescription(/^Amount must be a decimal amount/);
  // ...and the server's: the partner already has this name, in another case.
  await amount.fill("12.50");
  await form.getByRole("button", { name: "Create tier" }).click();
  await expect(name).toHaveAccessibleDescription("This partner already has a tier with this name");

  await name.fill(gold);
  await form.getByRole("textbox", { name: "Initial payment amount (optional)" }).fill("20");
  await form.getByRole("textbox", { name: "Features" }).fill("Virtual cards\nFree transfers\n");
  await form.getByRole("checkbox", { name: "Most popular" }).check();
  await form.getByRole("button", { name: "Create tier" }).click();
  await expect(toast(page, `Created tier ${gold} for ${partner.name}`)).toBeVisible();
  await expect(name).toHaveValue("");

  await expect(tiers.getByRole("link")).toHaveText([basic, gold]);
  const goldRow = tiers.getByRole("row").filter({ has: page.getByRole("link", { name: gold, exact: true }) });
  await expect(goldRow.getByRole("rowheader")).toContainText("Most popular");
  await expect(goldRow.getByRole("cell")).toHaveText(["0", "12.50 EUR", "20.00 EUR", "0", "Active", /Archive/]);

  // Reordered: Gold first, as clients will see the list.
  await goldRow.getByRole("button", { name: `Move ${gold} up` }).click();
  await expect(tiers.getByRole("link")).toHaveText([gold, basic]);

  const stored = await db.query(
    "select name, amount_minor::text as amount, initial_amount_minor::text as initial, currency, features, most_popular, trial_available, status, sort_order from subscription_tiers where partner_id = $1 order by sort_order",
    [partner.partnerId],
  );
  expect(stored.rows).toEqual([
    {
      name: gold,
      amount: "1250",
      initial: "2000",
      currency: "EUR",
      features: ["Virtual cards", "Free transfers"],
      most_popular: true,
      trial_available: false,
      status: "active",
      sort_order: 0,
    },
    {
      name: basic,
      amount: "499",
      initial: "499",
      currency: "EUR",
      features: [],
      most_popular: false,
      trial_available: false,
      status: "active",
      sort_order: 1,
    },
  ]);
  const audited = await db.query(
    "select action, actor_id from audit_events where entity_type = 'tier' and partner_id = $1 and actor_type = 'staff' order by id",
    [partner.partnerId],
  );
  expect(audited.rows).toEqual([
    { action: "tier.created", actor_id: staff.operations.id },
    { action: "tier.moved", actor_id: staff.operations.id },
  ]);
});

test("operations staff archive a tier and its subscribers keep their subscriptions", async ({
  operationsPage: page,
  request,
  db,
}) => {
  const tag = uniqueTag();
  const partner = await createPartner({ sandbox: true });
  const tierName = `Archived ${tag}`;
  const tier = await createTier(partner.partnerId, { name: tierName, amount: "5.00" });
  const client = await registerApiClient(request, partner.partnerId);
  await subscribe(request, client, tier.id);

  await page.goto(`/tiers?partnerId=${partner.partnerId}`);
  const row = page
    .getByRole("table", { name: /^Tiers of / })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: tierName, exact: true }) });
  await expect(row.getByRole("cell").nth(3)).toHaveText("1");
  await row.getByRole("button", { name: `Archive ${tierName}` }).click();
  const dialog = page.getByRole("dialog", { name: `Archive ${tierName}?` });
  await expect(dialog).toContainText("Its 1 live subscriber keeps their subscription and renews as before");
  await dialog.getByRole("button", { name: "Archive tier" }).click();
  await expect(toast(page, `Archived ${tierName}: clients can no longer choose it`)).toBeVisible();
  await expect(row.getByRole("cell").nth(4)).toHaveText("Archived");

  // Clients are no longer offered it; the subscriber still has theirs.
  const available = await request.get("/reg/subscription/details/available", { headers: client.headers });
  expect(((await available.json()) as Array<{ id: number }>).map((t) => t.id)).not.toContain(tier.id);
  const subscriptions = await db.query(
    "select s.status, t.status as tier_status from subscriptions s join subscription_tiers t on t.id = s.tier_id where s.client_id = $1",
    [client.clientId],
  );
  expect(subscriptions.rows).toEqual([{ status: "INIT", tier_status: "archived" }]);

  // On the tier's page: its subscriber, and the tier restored.
  await row.getByRole("link", { name: tierName, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: tierName })).toBeVisible();
  const subscriberRow = page
    .getByRole("table", { name: "Subscribers" })
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: client.email, exact: true }) });
  await expect(subscriberRow.getByRole("cell").nth(1)).toHaveText("INIT");
  await page.getByRole("button", { name: `Restore ${tierName}` }).click();
  await expect(toast(page, `Restored ${tierName}: clients can choose it again`)).toBeVisible();
  await expect(page.getByRole("region", { name: "Details" }).getByRole("definition").first()).toHaveText("Active");
});

test("operations staff edit a tier on its page", async ({ operationsPage: page, db }) => {
  const tag = uniqueTag();
  const partner = await createPartner({ sandbox: true });
  const tierName = `Silver ${tag}`;
  const tier = await createTier(partner.partnerId, { name: tierName, amount: "7.00" });

  await page.goto(`/tiers/${tier.id}`);
  await expect(page.getByRole("heading", { level: 1, name: tierName })).toBeVisible();
  const edit = page.getByRole("region", { name: "Edit tier" });
  await expect(edit.getByRole("textbox", { name: "Currency" })).toHaveCount(0);
  await edit.getByRole("textbox", { name: "Amount", exact: true }).fill("8.5");
  await edit.getByRole("combobox", { name: "Level" }).selectOption("2");
  await edit.getByRole("checkbox", { name: "Trial available" }).check();
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(toast(page, `Saved ${tierName}`)).toBeVisible();
  const details = page.getByRole("region", { name: "Details" });
  await expect(details.getByText("8.50 EUR every 30 days")).toBeVisible();
  await expect(edit.getByRole("textbox", { name: "Amount", exact: true })).toHaveValue("8.50");

  const stored = await db.query(
    "select amount_minor::text as amount, initial_amount_minor::text as initial, level, trial_available from subscription_tiers where id = $1",
    [tier.id],
  );
  expect(stored.rows).toEqual([{ amount: "850", initial: "700", level: 2, trial_available: true }]);
});

test("a client's subscription shows up after paying", async ({ operationsPage: page, request, db }) => {
  const tag = uniqueTag();
  const partner = await createPartner({ sandbox: true });
  const tierName = `Premium ${tag}`;
  const tier = await createTier(partner.partnerId, { name: tierName, amount: "9.99" });
  const client = await registerApiClient(request, partner.partnerId);
  expect((await creditAccount(client.clientId, "50")).balance).toBe("50.00");
  const { invoiceId } = await subscribe(request, client, tier.id);
  await payInvoice(request, client, invoiceId);

  const { subscriptionRow, invoiceRow } = await openBillingFor(page, client.email);
  await expect(subscriptionRow.getByRole("cell").nth(1)).toHaveText(`${partner.name} (${partner.partnerId})`);
  await expect(subscriptionRow.getByRole("cell").nth(2)).toHaveText(tierName);
  await expect(subscriptionRow.getByRole("cell").nth(3)).toHaveText("ACTIVE");
  await expect(subscriptionRow.getByRole("cell").nth(4)).toHaveText("9.99 EUR");
  await expect(subscriptionRow.getByRole("cell").nth(5)).not.toHaveText("—");
  await expect(invoiceRow.getByRole("cell").nth(3)).toHaveText("First payment");
  await expect(invoiceRow.getByRole("cell").nth(5)).toHaveText("Paid");
  await expect(invoiceRow.getByRole("button", { name: /^Void/ })).toHaveCount(0);

  // The client's page shows the same, and the payment in the account's ledger.
  await subscriptionRow.getByRole("link", { name: client.email, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: client.email })).toBeVisible();
  const billing = page.getByRole("region", { name: "Billing" });
  await expect(
    billing
      .getByRole("table", { name: "Subscriptions" })
      .getByRole("row")
      .filter({ hasText: tierName })
      .getByRole("cell")
      .nth(1),
  ).toHaveText("ACTIVE");
  await expect(
    billing
      .getByRole("table", { name: "Invoices" })
      .getByRole("row")
      .filter({ hasText: "First payment" })
      .getByRole("cell")
      .nth(3),
  ).toHaveText("Paid");
  const accounts = page.getByRole("region", { name: "Accounts" });
  await expect(accounts.getByRole("heading", { level: 3 })).toHaveText(/balance 40\.01$/);

  // A sandbox client: operations staff top the account up from the page, and the balance follows.
  const credit = billing.getByRole("form", { name: "Credit sandbox account" });
  await credit.getByRole("textbox", { name: "Amount" }).fill("0");
  await credit.getByRole("button", { name: "Credit account" }).click();
  await expect(credit.getByRole("textbox", { name: "Amount" })).toHaveAccessibleDescription(
    "Amount must be more than 0",
  );
  await credit.getByRole("textbox", { name: "Amount" }).fill("10");
  await credit.getByRole("textbox", { name: "Note (optional)" }).fill(`Top-up ${tag}`);
  await credit.getByRole("button", { name: "Credit account" }).click();
  await expect(toast(page, "Credited 10.00 EUR; the balance is now 50.01 EUR")).toBeVisible();
  await expect(accounts.getByRole("heading", { level: 3 })).toHaveText(/balance 50\.01$/);
  await expect(
    accounts
      .getByRole("row")
      .filter({ hasText: `Sandbox credit: Top-up ${tag}` })
      .getByRole("cell")
      .nth(3),
  ).toHaveText("10.00 EUR");

  const stored = await db.query(
    "select s.status, i.status as invoice_status from subscriptions s join invoices i on i.subscription_id = s.id where s.client_id = $1",
    [client.clientId],
  );
  expect(stored.rows).toEqual([{ status: "ACTIVE", invoice_status: "paid" }]);
});

test("staff void an invoice", async ({ operationsPage: page, staff, request, db }) => {
  const tag = uniqueTag();
  const partner = await createPartner({ sandbox: true });
  const tier = await createTier(partner.partnerId, { name: `Unpaid ${tag}`, amount: "15.00" });
  const client = await registerApiClient(request, partner.partnerId);
  const { invoiceId, subscriptionId } = await subscribe(request, client, tier.id);
  const reason = `Client asked to start over (${tag})`;

  const { subscriptionRow, invoiceRow } = await openBillingFor(page, client.email);
  await expect(subscriptionRow.getByRole("cell").nth(3)).toHaveText("INIT");
  await expect(invoiceRow.getByRole("cell").nth(5)).toHaveText("Open");

  await invoiceRow.getByRole("button", { name: `Void the invoice of ${client.email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Void the invoice of ${client.email}?` });
  await expect(dialog).toContainText("Voiding cancels the subscription it belongs to");
  // A reason is required, and its absence is said in place.
  await dialog.getByRole("button", { name: "Void invoice" }).click();
  await expect(dialog.getByRole("textbox", { name: "Reason" })).toHaveAccessibleDescription(
    "Give a reason of at least 3 characters",
  );
  await dialog.getByRole("textbox", { name: "Reason" }).fill(reason);
  await dialog.getByRole("button", { name: "Void invoice" }).click();
  await expect(toast(page, `Voided the invoice of ${client.email}; its subscription is cancelled`)).toBeVisible();
  await expect(dialog).toBeHidden();

  await expect(invoiceRow.getByRole("cell").nth(5)).toHaveText("Void");
  await expect(invoiceRow.getByRole("cell").nth(7)).toContainText(reason);
  await expect(invoiceRow.getByRole("button", { name: /^Void/ })).toHaveCount(0);
  await expect(subscriptionRow.getByRole("cell").nth(3)).toHaveText("CANCELLED");
  await expect(subscriptionRow.getByRole("button", { name: /^Cancel/ })).toHaveCount(0);

  const invoice = await db.query("select status, void_reason from invoices where id = $1", [invoiceId]);
  expect(invoice.rows).toEqual([{ status: "void", void_reason: reason }]);
  const subscription = await db.query(
    "select status, cancelled_at is not null as ended from subscriptions where id = $1",
    [subscriptionId],
  );
  expect(subscription.rows).toEqual([{ status: "CANCELLED", ended: true }]);
  const audited = await db.query(
    "select actor_type, actor_id, after->>'reason' as reason from audit_events where entity_type = 'invoice' and entity_id = $1 and action = 'invoice.voided'",
    [invoiceId],
  );
  expect(audited.rows).toEqual([{ actor_type: "staff", actor_id: staff.operations.id, reason }]);
});

test("operations staff cancel a paid subscription, which runs to the end of its period", async ({
  operationsPage: page,
  request,
  db,
}) => {
  const tag = uniqueTag();
  const partner = await createPartner({ sandbox: true });
  const tier = await createTier(partner.partnerId, { name: `Monthly ${tag}`, amount: "2.00" });
  const client = await registerApiClient(request, partner.partnerId);
  await creditAccount(client.clientId, "2");
  const { invoiceId, subscriptionId } = await subscribe(request, client, tier.id);
  await payInvoice(request, client, invoiceId);
  const reason = `Requested by phone (${tag})`;

  const { subscriptionRow } = await openBillingFor(page, client.email);
  await expect(subscriptionRow.getByRole("cell").nth(3)).toHaveText("ACTIVE");
  await subscriptionRow.getByRole("button", { name: `Cancel the subscription of ${client.email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Cancel the subscription of ${client.email}?` });
  await expect(dialog).toContainText("it stays active until then and is not renewed");
  await dialog.getByRole("textbox", { name: "Reason" }).fill(reason);
  await dialog.getByRole("button", { name: "Cancel subscription" }).click();
  await expect(
    toast(
      page,
      new RegExp(`^Cancelled the subscription of ${client.email.replace(/\./g, "\\.")}: it runs until .* UTC$`),
    ),
  ).toBeVisible();
  await expect(subscriptionRow.getByRole("cell").nth(3)).toHaveText("DEACTIVATING");
  await expect(subscriptionRow.getByRole("button", { name: /^Cancel/ })).toHaveCount(0);

  const stored = await db.query("select status, cancel_reason, cancelled_at from subscriptions where id = $1", [
    subscriptionId,
  ]);
  expect(stored.rows).toEqual([{ status: "DEACTIVATING", cancel_reason: "staff", cancelled_at: null }]);
  const audited = await db.query(
    "select after->>'reason' as reason from audit_events where entity_type = 'subscription' and entity_id = $1 and action = 'subscription.cancelled'",
    [subscriptionId],
  );
  expect(audited.rows).toEqual([{ reason }]);
});
