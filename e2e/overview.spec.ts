import type { APIRequestContext } from "@playwright/test";
import { expect, gatehouse, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag, type TestPartner } from "./support/data";

/** A partner-API step 1 (and, with the sandbox code, step 2), as a partner's app sends them. */
async function partnerApiRegistration(
  request: APIRequestContext,
  partner: TestPartner,
  email: string,
  complete: boolean,
) {
  const password = "A9#bL8@z";
  const headers = { partnerId: String(partner.partnerId) };
  const started = await request.post("/reg/user", { headers, data: { email, password } });
  expect(started.status(), await started.text()).toBe(202);
  if (!complete) return;
  const confirmed = await request.post("/reg/user", { headers, data: { email, password, emailConfirmCode: "12345" } });
  expect(confirmed.status(), await confirmed.text()).toBe(201);
}

test("the overview chart shows the right counts for a seeded partner", async ({ adminPage: page }) => {
  const partner = await createPartner({ sandbox: true });
  const tag = uniqueTag();
  const person = (name: string) => ({
    firstName: name,
    lastName: "Funnel",
    email: `${name.toLowerCase()}-${tag}@example.test`,
    countryCode: "LV",
  });
  // Five registrations: a step 1 left waiting, a completed partner-API one, and three white-label clients
  // (unconfirmed, confirmed, identified through the master key).
  await partnerApiRegistration(page.request, partner, `waiting-${tag}@example.test`, false);
  await partnerApiRegistration(page.request, partner, `completed-${tag}@example.test`, true);
  await registerClient(page.request, partner, person("Una"));
  await registerClient(page.request, partner, { ...person("Cora"), verificationStatus: "email_verified" });
  await registerClient(page.request, partner, {
    ...person("Ida"),
    verificationStatus: "identified",
    verificationLevel: 2,
  });

  await page.goto("/overview");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  // The first funnel has loaded, so the page is hydrated and the picker reacts.
  await expect(page.getByRole("heading", { level: 2, name: "Onboarding funnel" })).toBeVisible();
  await page
    .getByRole("combobox", { name: "Partner" })
    .selectOption({ label: `${partner.name} (${partner.partnerId})` });
  await expect(page).toHaveURL(new RegExp(`/overview\\?partnerId=${partner.partnerId}$`));

  const chart = page.getByRole("img", { name: new RegExp(`^Onboarding funnel for ${partner.name}`) });
  await expect(chart).toBeVisible();
  await expect(chart).toHaveAccessibleName(
    /Registrations started 5, Email confirmed 3 \(60%\), KYC identified 1 \(20%\), Subscribed 0 \(0%\)/,
  );

  const table = page.getByRole("table", { name: "Onboarding funnel" });
  await expect(table.getByRole("row", { name: /^Registrations started/ }).getByRole("cell")).toHaveText(["5", "100%"]);
  await expect(table.getByRole("row", { name: /^Email confirmed/ }).getByRole("cell")).toHaveText(["3", "60%"]);
  await expect(table.getByRole("row", { name: /^KYC identified/ }).getByRole("cell")).toHaveText(["1", "20%"]);
  // None of them has paid for a subscription.
  await expect(table.getByRole("row", { name: /^Subscribed/ }).getByRole("cell")).toHaveText(["0", "0%"]);

  // The trend puts all five on today (UTC), in its chart and in its table.
  await expect(
    page.getByRole("img", { name: new RegExp(`^Registrations started per day for ${partner.name}`) }),
  ).toBeVisible();
  const today = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(
    new Date(),
  );
  const byDay = page.getByRole("table", { name: "Registrations by day" });
  await expect(byDay.getByRole("row", { name: new RegExp(`^${today}`) }).getByRole("cell")).toHaveText([
    "5",
    "3",
    "1",
    "0",
  ]);
});

test("clients loaded in bulk show on the Overview at once, labelled with when they were counted", async ({
  operationsPage: page,
  db,
}) => {
  const partner = await createPartner();
  // The admin CLI in its own process: the running app's rollup job would only count them at its next tick.
  await gatehouse(["seed", "--clients", "150", "--partner", String(partner.partnerId)]);
  const { rows } = await db.query<{ started: number; today: number }>(
    `select count(*)::int as started,
            count(*) filter (where (created_at at time zone 'UTC')::date = (now() at time zone 'UTC')::date)::int as today
     from clients
     where partner_id = $1 and (created_at at time zone 'UTC')::date > (now() at time zone 'UTC')::date - 90`,
    [partner.partnerId],
  );
  // Nearly all of them started on earlier days, which the page reads from the rollup.
  expect(rows[0]!.started - rows[0]!.today).toBeGreaterThan(100);

  await page.goto(`/overview?partnerId=${partner.partnerId}&days=90`);
  const table = page.getByRole("table", { name: "Onboarding funnel" });
  await expect(
    table
      .getByRole("row", { name: /^Registrations started/ })
      .getByRole("cell")
      .first(),
  ).toHaveText(String(rows[0]!.started));
  await expect(
    page.getByText(
      /^Counts of the days before today as of \d\d:\d\d:\d\d UTC, recounted every minute; today is live\.$/,
    ),
  ).toBeVisible();
});
