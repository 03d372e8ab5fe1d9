import { expect, type Locator, type Page } from "@playwright/test";

/** The confirmation announcing `text` (the back office lists them in its "Notifications" region). */
export function toast(page: Page, text: string | RegExp): Locator {
  return page
    .getByRole("region", { name: /^Notifications/ })
    .getByRole("listitem")
    .filter({ hasText: text });
}

/**
 * Opens the Clients list and waits until it has loaded its rows: the page is
 * hydrated then, so a filter chosen next is not lost to a still-static form.
 */
export async function openClients(page: Page, query = ""): Promise<void> {
  await page.goto(`/clients${query}`);
  await expect(page.getByRole("heading", { level: 1, name: "Clients" })).toBeVisible();
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: /^Showing \d+ clients?/ })
      .or(page.getByText(/^No clients (yet|match these filters)$/)),
  ).toBeVisible();
}

/** The clients table of the Clients page (its caption names it), whether filtered or not. */
export function clientsTable(page: Page): Locator {
  return page.getByRole("table", { name: /^Clients/ });
}

/** The email links of the clients table, one per row: exactly `emails`, in this order. */
export async function expectClientRows(page: Page, emails: string[]): Promise<void> {
  await expect(clientsTable(page).getByRole("link")).toHaveText(emails);
  await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText(
    `Showing ${emails.length} client${emails.length === 1 ? "" : "s"}.`,
  );
}

/** The table row of one client in the Clients list, found by its email link. */
export function clientRow(page: Page, email: string): Locator {
  return clientsTable(page)
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: email, exact: true }) });
}
