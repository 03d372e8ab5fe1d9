import { expect, test } from "./fixtures";
import { createPartner, uniqueTag } from "./support/data";
import { toast } from "./support/ui";

test("operations staff see and resend a pending confirmation", async ({ operationsPage: page, staff, request, db }) => {
  const tag = uniqueTag();
  const partner = await createPartner({ name: `E2E Pending ${tag}`, sandbox: true });
  const email = `${tag}.pending@example.test`;

  // Step 1 of the partner API's "Create New User": the code is emailed and the registration waits for it.
  const started = await request.post("/reg/user", {
    headers: { partnerId: String(partner.partnerId) },
    data: { email, password: "Pend1ng#Pass" },
  });
  expect(started.status(), await started.text()).toBe(202);

  await page.goto("/pending");
  await expect(page.getByRole("heading", { level: 1, name: "Pending confirmations" })).toBeVisible();
  // The list has loaded (so the page is live) before the filter is chosen.
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: /^Showing \d+ pending/ })
      .or(page.getByText("Nothing is waiting for a code")),
  ).toBeVisible();
  await page
    .getByRole("combobox", { name: "Partner" })
    .selectOption({ label: `${partner.name} (${partner.partnerId})` });

  const table = page.getByRole("table", { name: "Pending confirmations" });
  const row = table.getByRole("row").filter({ hasText: email });
  await expect(table.getByRole("row")).toHaveCount(2);
  const cells = row.getByRole("cell");
  await expect(cells.nth(0)).toHaveText("Partner API registration");
  await expect(cells.nth(2)).toContainText(partner.name);
  await expect(cells.nth(2)).toContainText("sandbox");
  await expect(cells.nth(5)).toHaveText("0");
  await expect(cells.nth(6)).toHaveText("0");
  // A sandbox partner's code is always 12345, shown so staff can help a partner test.
  await expect(cells.nth(7)).toHaveText("12345");

  // Right after the first email the cooldown holds: the server's refusal is shown, nothing is sent.
  const resendButton = row.getByRole("button", { name: `Resend to ${email}` });
  await resendButton.click();
  await expect(toast(page, /^A code was sent moments ago; ask for another in \d+ seconds$/)).toBeVisible();
  await expect(cells.nth(6)).toHaveText("0");

  // A minute and more later (the first send moved back in time), the resend goes through.
  const backdated = await db.query(
    "update pending_registrations set last_sent_at = now() - interval '2 minutes' where partner_id = $1 and email = $2 and state = 'pending'",
    [partner.partnerId, email],
  );
  expect(backdated.rowCount).toBe(1);
  await resendButton.click();
  await expect(toast(page, "A new code is on its way")).toBeVisible();
  await expect(cells.nth(6)).toHaveText("1");
  await expect(cells.nth(5)).toHaveText("0");

  const stored = await db.query<{ id: string; resend_count: number; sent_just_now: boolean }>(
    "select id, resend_count, last_sent_at > now() - interval '1 minute' as sent_just_now from pending_registrations where partner_id = $1 and email = $2",
    [partner.partnerId, email],
  );
  expect(stored.rows).toEqual([{ id: expect.any(String), resend_count: 1, sent_just_now: true }]);
  // Two code emails in all (step 1 and the resend), and the resend is on record as this staff member's.
  const mails = await db.query("select template from email_outbox where partner_id = $1 and to_address = $2", [
    partner.partnerId,
    email,
  ]);
  expect(mails.rows).toEqual([{ template: "registration_code" }, { template: "registration_code" }]);
  const audited = await db.query(
    "select actor_type, actor_id from audit_events where action = 'pending.resent' and entity_id = $1",
    [stored.rows[0]!.id],
  );
  expect(audited.rows).toEqual([{ actor_type: "staff", actor_id: staff.operations.id }]);
});
