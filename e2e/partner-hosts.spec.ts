import { randomUUID } from "node:crypto";
import { expect, gatehouse, test } from "./fixtures";
import { toast } from "./support/ui";

test("a KAM adds a host and a browser origin on the partner page, sees them saved, and the origin then passes a CORS preflight", async ({
  kamPage: page,
  staff,
  db,
  request,
}) => {
  const tag = randomUUID().slice(0, 8);
  const partnerName = `E2E Hosts ${tag}`;
  const { partnerId } = await gatehouse<{ partnerId: number }>([
    "partner",
    "create",
    "--name",
    partnerName,
    "--owner",
    staff.kam.email,
    "--quota-ip",
    "100",
  ]);
  const host = `app-${tag}.acmepay.example`;
  const origin = `https://app-${tag}.acmepay.example`;

  await page.goto(`/partners/${partnerId}`);
  await expect(page.getByRole("heading", { level: 1, name: partnerName })).toBeVisible();
  const section = page.getByRole("region", { name: "Hosts and browser origins" });
  await expect(section.getByRole("group", { name: "Hosts" }).getByText("None yet.")).toBeVisible();

  await section.getByRole("button", { name: "Add host" }).click();
  await section.getByRole("textbox", { name: "Host 1" }).fill(host.toUpperCase());
  await section.getByRole("button", { name: "Add origin" }).click();
  // A plain-http origin is refused in place, for this live partner.
  await section.getByRole("textbox", { name: "Origin 1" }).fill(`http://app-${tag}.acmepay.example`);
  await section.getByRole("button", { name: "Save hosts and origins" }).click();
  await expect(
    section.getByText("An origin must use https (http://localhost is allowed for sandbox partners)"),
  ).toBeVisible();
  await expect(section.getByRole("textbox", { name: "Origin 1" })).toHaveAttribute("aria-invalid", "true");

  await section.getByRole("textbox", { name: "Origin 1" }).fill(origin);
  await section.getByRole("button", { name: "Save hosts and origins" }).click();
  await expect(toast(page, "Saved hosts and browser origins")).toBeVisible();

  // Saved: after the page is read again they are still there, the host as stored (lower case).
  await page.reload();
  await expect(section.getByRole("textbox", { name: "Host 1" })).toHaveValue(host);
  await expect(section.getByText("Emails link here")).toBeVisible();
  await expect(section.getByRole("textbox", { name: "Origin 1" })).toHaveValue(origin);
  const stored = await db.query<{ host: string; origins: string[] }>(
    "select h.host, p.allowed_origins as origins from partner_hosts h join partners p on p.id = h.partner_id where p.id = $1",
    [partnerId],
  );
  expect(stored.rows).toEqual([{ host, origins: [origin] }]);

  // The partner's browser app may now call the public API from its origin.
  const preflight = await request.fetch("/api/public/register", {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  expect(preflight.status()).toBe(204);
  expect(preflight.headers()["access-control-allow-origin"]).toBe(origin);
});
