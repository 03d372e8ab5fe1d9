import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { navigationFor } from "../app/(dashboard)/navigation";
import { createPartnerWithCli, expect, test } from "./fixtures";
import { createTier, registerApiClient, subscribe } from "./support/billing";
import { registerClient } from "./support/data";
import { toast } from "./support/ui";

/**
 * Every back-office page, checked with axe: no serious or critical
 * violations. The dashboard pages are the admin's navigation, so a page added
 * to the menu is checked without touching this file.
 */

type AxeResults = Awaited<ReturnType<AxeBuilder["analyze"]>>;

function describeViolations(violations: AxeResults["violations"]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    at ${n.target.join(" ")}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`)
        .join("\n");
      return `${v.impact}: ${v.id} — ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join("\n\n");
}

async function expectNoSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious, `Accessibility violations on ${page.url()}:\n\n${describeViolations(serious)}`).toEqual([]);
}

/** The page has rendered its content: a heading, and no loading indicator left (the first API call may be slow to start). */
async function settled(page: Page) {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /…$/ })).toHaveCount(0, { timeout: 15_000 });
}

test("the login page works with assistive technology, errors included", async ({ page }) => {
  await page.goto("/login");
  await settled(page);
  await expectNoSeriousViolations(page);

  await page.getByRole("textbox", { name: "Email" }).fill("nobody@staff.test");
  await page.getByLabel("Password").fill("not-a-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not correct" })).toBeVisible();
  await expectNoSeriousViolations(page);
});

for (const item of navigationFor("admin")) {
  test(`the ${item.label} page works with assistive technology`, async ({ adminPage: page }) => {
    const response = await page.goto(item.href);
    expect(response?.status(), `${item.href} is in the menu, so it must exist`).toBe(200);
    await expect(page).toHaveURL(new RegExp(`${item.href}(\\?|$)`));
    await settled(page);
    await expectNoSeriousViolations(page);
  });
}

test("the two-factor setup form works with assistive technology", async ({ kamPage: page }) => {
  // Starting the setup stores nothing, so the worker's shared staff member can do it.
  await page.goto("/account/security");
  await settled(page);
  await page.getByRole("button", { name: "Start setup" }).click();
  await expect(page.getByTestId("totp-secret")).toBeVisible();
  await expectNoSeriousViolations(page);
});

test("the client page works with assistive technology", async ({ adminPage: page }) => {
  const partner = await createPartnerWithCli();
  const registered = await page.request.post("/api/public/register", {
    headers: { authorization: `Bearer ${partner.masterKey}` },
    data: {
      firstName: "Ada",
      lastName: "Lovelace",
      email: `ada-${partner.partnerId}@example.test`,
      countryCode: "GB",
      password: "Analytical1Engine",
      referralCode: null,
      agreed: true,
      birthDate: "1990-12-10",
    },
  });
  expect(registered.status(), await registered.text()).toBe(201);
  const { clientId } = (await registered.json()) as { clientId: string };

  const response = await page.goto(`/clients/${clientId}`);
  expect(response?.status()).toBe(200);
  await settled(page);
  await expect(page.getByRole("main")).toContainText(`ada-${partner.partnerId}@example.test`);
  await expectNoSeriousViolations(page);
});

test("the partner page works with assistive technology, a new master key and its confirmation included", async ({
  adminPage: page,
}) => {
  const partner = await createPartnerWithCli();
  const response = await page.goto(`/partners/${partner.partnerId}`);
  expect(response?.status()).toBe(200);
  await settled(page);
  await expect(page.getByRole("table", { name: "Master API keys" })).toBeVisible();
  await expectNoSeriousViolations(page);

  const keys = page.getByRole("region", { name: "API keys" });
  await keys.getByRole("textbox", { name: "Key name" }).fill("Accessibility check");
  await keys.getByRole("button", { name: "Create key" }).click();
  await expect(keys.getByRole("textbox", { name: "New master API key" })).toBeVisible();
  // The toast is the layout's, not this page's: dismissed so the check covers the page itself.
  await toast(page, "Created key Accessibility check").getByRole("button", { name: "Close toast" }).click();
  await expect(toast(page, "Created key Accessibility check")).toHaveCount(0);
  await expectNoSeriousViolations(page);

  await keys.getByRole("button", { name: "Revoke key Accessibility check" }).click();
  await expect(page.getByRole("dialog", { name: "Revoke key Accessibility check?" })).toBeVisible();
  await expectNoSeriousViolations(page);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
});

test("the KYC decision and sandbox pages work with assistive technology, the final rejection's confirmation included", async ({
  adminPage: page,
}) => {
  const partner = await createPartnerWithCli();
  const client = await registerClient(page.request, partner, {
    firstName: "Grace",
    lastName: "Hopper",
    email: `grace-${partner.partnerId}@example.test`,
    countryCode: "US",
  });
  const started = await page.request.post("/reg/verification", {
    headers: { authorization: `Bearer ${client.token}` },
    data: { type: "SUMSUB" },
  });
  expect(started.status(), await started.text()).toBe(200);
  const { sandboxUrl } = (await started.json()) as { sandboxUrl: string };

  await page.goto(sandboxUrl);
  await settled(page);
  await page.getByRole("button", { name: "Submit documents" }).click();
  await expect(page.getByText("Submitted: waiting for review")).toBeVisible();
  await expectNoSeriousViolations(page);

  const response = await page.goto(`/kyc/${client.clientId}`);
  expect(response?.status()).toBe(200);
  await settled(page);
  await expect(page.getByRole("main")).toContainText(`KYC: ${client.email}`);
  await expectNoSeriousViolations(page);

  const decide = page.getByRole("region", { name: "Decide" });
  await decide.getByRole("radio", { name: /^Reject final/ }).check();
  await decide.getByRole("button", { name: "Reject final" }).click();
  await expect(page.getByRole("dialog", { name: `Reject ${client.email} for good?` })).toBeVisible();
  await expectNoSeriousViolations(page);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
});

test("the subscription tier pages work with assistive technology, the archive confirmation included", async ({
  adminPage: page,
}) => {
  const partner = await createPartnerWithCli();
  const tier = await createTier(partner.partnerId, { name: "Accessible tier", amount: "3.00" });

  const response = await page.goto(`/tiers?partnerId=${partner.partnerId}`);
  expect(response?.status()).toBe(200);
  await settled(page);
  await expect(page.getByRole("table", { name: /^Tiers of / })).toBeVisible();
  await expectNoSeriousViolations(page);

  await page.getByRole("button", { name: "Archive Accessible tier" }).click();
  await expect(page.getByRole("dialog", { name: "Archive Accessible tier?" })).toBeVisible();
  await expectNoSeriousViolations(page);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel", exact: true }).click();

  const detail = await page.goto(`/tiers/${tier.id}`);
  expect(detail?.status()).toBe(200);
  await settled(page);
  await expect(page.getByRole("region", { name: "Edit tier" })).toBeVisible();
  await expectNoSeriousViolations(page);
});

test("the Subscriptions & invoices page works with assistive technology, the void confirmation included", async ({
  adminPage: page,
}) => {
  const partner = await createPartnerWithCli();
  const tier = await createTier(partner.partnerId, { name: "Accessible billing", amount: "3.00" });
  const client = await registerApiClient(page.request, partner.partnerId);
  await subscribe(page.request, client, tier.id);

  await page.goto("/billing");
  await settled(page);
  const invoices = page.getByRole("region", { name: "Invoices", exact: true });
  await invoices.getByRole("searchbox", { name: "Client email" }).fill(client.email);
  await invoices.getByRole("button", { name: `Void the invoice of ${client.email}` }).click();
  const dialog = page.getByRole("dialog", { name: `Void the invoice of ${client.email}?` });
  await dialog.getByRole("button", { name: "Void invoice" }).click();
  await expect(dialog.getByRole("textbox", { name: "Reason" })).toHaveAccessibleDescription(
    "Give a reason of at least 3 characters",
  );
  await expectNoSeriousViolations(page);
  await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
});
