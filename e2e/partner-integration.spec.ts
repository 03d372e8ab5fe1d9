import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import { Webhook } from "standardwebhooks";
import { expect, gatehouse, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag } from "./support/data";
import { toast } from "./support/ui";

/**
 * A partner's integration as its key account manager sets it up on the
 * partner page: a webhook endpoint whose deliveries they watch and resend,
 * and the hosts and browser origins its white-label app is served from.
 */

/**
 * The partner's receiver, on this machine: it answers the first delivery 500
 * and every later one 204, and keeps what it received. The server under test
 * runs with WEBHOOK_ALLOW_PRIVATE_URLS=1 (playwright.config.ts), so it may
 * call a loopback http URL.
 */
interface Delivery {
  id: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

async function startReceiver() {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const answered = deliveries.length === 0 ? 500 : 204;
      deliveries.push({ id: String(req.headers["webhook-id"]), headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gatehouse-events`,
    deliveries,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test("a KAM adds a webhook endpoint, sees its first delivery fail and the retry succeed in the delivery log, and resends it", async ({
  kamPage: page,
  staff,
  request,
  db,
}) => {
  // The retry comes about 5 seconds after the failure, and the resend after that.
  test.setTimeout(90_000);
  const receiver = await startReceiver();
  try {
    const tag = uniqueTag();
    const partner = await createPartner({ sandbox: true, owner: staff.kam.email });
    await page.goto(`/partners/${partner.partnerId}`);
    const section = page.getByRole("region", { name: "Webhooks" });
    await expect(section.getByText("No webhook endpoints yet")).toBeVisible();

    await section.getByRole("textbox", { name: "Endpoint URL" }).fill(receiver.url);
    await section.getByRole("checkbox", { name: "client.registered" }).check();
    await section.getByRole("button", { name: "Add endpoint" }).click();
    await expect(toast(page, `Added the endpoint ${receiver.url}`)).toBeVisible();
    await expect(section.getByText("This secret won't be shown again")).toBeVisible();
    await expect(section.getByRole("button", { name: "Copy secret" })).toBeVisible();
    const secret = await section.getByRole("textbox", { name: "Signing secret" }).inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);

    const endpoint = section.getByRole("region", { name: receiver.url });
    await expect(endpoint.getByText("client.registered", { exact: true })).toBeVisible();
    await expect(endpoint.getByText("No deliveries yet.")).toBeVisible();

    // A client registers through the public API: the partner's endpoint hears of it.
    const client = await registerClient(request, partner, {
      firstName: "Webb",
      lastName: `Hook${tag}`,
      email: `e2e-hook-${tag}@example.test`,
      countryCode: "EE",
    });
    // Retried about 5 seconds after the 500; the section renders itself again while a message waits.
    await expect.poll(() => receiver.deliveries.map((d) => d.answered), { timeout: 30_000 }).toEqual([500, 204]);
    await page.reload();

    const log = endpoint.getByRole("table", { name: `Deliveries to ${receiver.url}` });
    const row = log.getByRole("row").filter({ hasText: "client.registered" });
    const cells = row.getByRole("cell");
    await expect(cells.nth(1)).toHaveText("Delivered");
    await expect(cells.nth(3)).toHaveText("HTTP 204");
    await expect(cells.nth(4)).toHaveText(/^\d+ ms$/);
    // The attempts, in order: the failure, then the success.
    await cells.nth(2).getByText("2", { exact: true }).click();
    await expect(cells.nth(2).getByRole("listitem")).toHaveText([
      /^#1 .*: HTTP 500, \d+ ms$/,
      /^#2 .*: HTTP 204, \d+ ms$/,
    ]);

    // The section with an endpoint and its log reads well with assistive technology too.
    const violations = (
      await new AxeBuilder({ page }).include(`section[aria-labelledby="webhooks-heading"]`).analyze()
    ).violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);

    const [first, second] = receiver.deliveries;
    expect(second!.id).toBe(first!.id);
    const event = new Webhook(secret).verify(second!.body, second!.headers as Record<string, string>) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      type: "client.registered",
      data: { clientId: client.clientId, partnerId: partner.partnerId },
    });

    // Resend: the same message again now, under the same webhook-id.
    await row.getByRole("button", { name: /^Resend client\.registered / }).click();
    await expect(toast(page, "Queued for delivery again, with the same webhook-id")).toBeVisible();
    await expect.poll(() => receiver.deliveries.length, { timeout: 30_000 }).toBe(3);
    const resent = receiver.deliveries[2]!;
    expect(resent.id).toBe(first!.id);
    expect(() => new Webhook(secret).verify(resent.body, resent.headers as Record<string, string>)).not.toThrow();
    await expect(async () => {
      await page.reload();
      await expect(cells.nth(2).getByText("3", { exact: true })).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    await expect(cells.nth(1)).toHaveText("Delivered");

    const { rows } = await db.query<{ status: string; attempts: number }>(
      "select status, attempts from webhook_messages where id = $1",
      [first!.id],
    );
    expect(rows).toEqual([{ status: "delivered", attempts: 3 }]);
  } finally {
    await receiver.close();
  }
});

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
