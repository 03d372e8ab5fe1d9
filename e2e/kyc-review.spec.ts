import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { createPartner, registerClient, uniqueTag, type RegisteredClient } from "./support/data";
import { clientRow, openClients, toast } from "./support/ui";

const bearer = (client: RegisteredClient) => ({ Authorization: `Bearer ${client.token}` });

/** The client app starts the verification (POST /reg/verification) and gets the sandbox page in place of Sumsub's SDK. */
async function startVerification(request: APIRequestContext, client: RegisteredClient): Promise<string> {
  const response = await request.post("/reg/verification", { headers: bearer(client), data: { type: "SUMSUB" } });
  expect(response.status(), await response.text()).toBe(200);
  const started = (await response.json()) as { provider: string; userId: string; sandboxUrl: string | null };
  expect(started).toMatchObject({ provider: "SANDBOX", userId: client.clientId });
  expect(started.sandboxUrl).toMatch(/\/kyc-sandbox\/sbx_/);
  return started.sandboxUrl!;
}

/** The tester plays the applicant on the sandbox page: the documents are submitted and the app hears applicantPending. */
async function submitOnSandboxPage(page: Page, sandboxUrl: string) {
  await page.goto(sandboxUrl);
  await expect(page.getByRole("heading", { level: 1, name: "Sandbox verification — for testing only" })).toBeVisible();
  await expect(page.getByText("Started: nothing submitted yet")).toBeVisible();
  await page.getByRole("button", { name: "Submit documents" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "“Submit documents” sent as a signed webhook: the app applied it." }),
  ).toBeVisible();
  await expect(page.getByText("Submitted: waiting for review")).toBeVisible();
}

/** Opens KYC review from the menu, narrowed to one partner, once the queue has loaded (the page is hydrated then). */
async function openQueue(page: Page, partner: { name: string; partnerId: number }, rows: number) {
  await page.goto("/overview");
  await page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "KYC review" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "KYC review" })).toBeVisible();
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: /^Showing \d+ verifications?/ })
      .or(page.getByText("Nothing to review")),
  ).toBeVisible();
  await page
    .getByRole("combobox", { name: "Partner" })
    .selectOption({ label: `${partner.name} (${partner.partnerId})` });
  if (rows === 0) await expect(page.getByText("Nothing to review for these filters")).toBeVisible();
  else
    await expect(page.getByRole("status").filter({ hasText: /^Showing/ })).toHaveText(
      `Showing ${rows} verification${rows === 1 ? "" : "s"}.`,
    );
}

test("operations staff approve and reject from the review queue", async ({
  operationsPage: page,
  staff,
  request,
  db,
}) => {
  const tag = uniqueTag();
  // A sandbox partner: its clients verify on the sandbox page (a live partner's would go to Sumsub).
  const partner = await createPartner({ sandbox: true });
  const person = (first: string) => ({
    firstName: first,
    lastName: `Kyc${tag}`,
    email: `${tag}.${first.toLowerCase()}@example.test`,
    countryCode: "EE",
  });
  const approved = await registerClient(request, partner, person("Mari"));
  const rejected = await registerClient(request, partner, person("Jaan"));
  const partnerLevel = (
    await db.query<{ kyc_approved_level: number }>("select kyc_approved_level from partners where id = $1", [
      partner.partnerId,
    ])
  ).rows[0]!.kyc_approved_level;

  // Both clients start a verification and submit their documents, in this order.
  for (const client of [approved, rejected]) await submitOnSandboxPage(page, await startVerification(request, client));

  // The queue shows both, oldest first, as pending, with their age and partner.
  await openQueue(page, partner, 2);
  const queue = page.getByRole("table", { name: "KYC review queue" });
  await expect(queue.getByRole("link")).toHaveText([approved.email, rejected.email]);
  const firstRow = queue
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name: approved.email, exact: true }) });
  await expect(firstRow.getByRole("cell")).toHaveText([
    approved.email,
    `Mari Kyc${tag}`,
    `${partner.name} (${partner.partnerId})`,
    "Pending",
    /^\d+ (s|min)$/,
    "Sandbox",
    "—",
  ]);

  // Approve the first.
  await queue.getByRole("link", { name: approved.email, exact: true }).click();
  await expect(page).toHaveURL(`/kyc/${approved.clientId}`);
  await expect(page.getByRole("heading", { level: 1, name: `KYC: ${approved.email}` })).toBeVisible();
  const state = page.getByRole("region", { name: "Current state" });
  await expect(state.getByRole("definition").first()).toHaveText("Pending review");
  const decide = page.getByRole("region", { name: "Decide" });
  await expect(decide.getByRole("radio", { name: /^Approve/ })).toBeChecked();
  await decide.getByRole("button", { name: "Approve verification" }).click();
  await expect(toast(page, `Approved: ${approved.email} is identified, level ${partnerLevel}`)).toBeVisible();
  await expect(state.getByRole("definition").first()).toHaveText("Approved");
  const history = page.getByRole("list", { name: "KYC history" });
  await expect(history.getByRole("listitem").first()).toContainText(`Reviewed Approved · by ${staff.operations.name}`);
  await expect(history.getByRole("listitem").nth(1)).toContainText("Documents submitted · from the provider");

  // The client page shows the client identified at the partner's KYC level, and the KYC timeline.
  await page.getByRole("link", { name: "Open the client page" }).click();
  await expect(page).toHaveURL(`/clients/${approved.clientId}`);
  await expect(page.getByRole("region", { name: "Verification" }).getByRole("definition")).toHaveText([
    "Identified",
    String(partnerLevel),
  ]);
  const kyc = page.getByRole("region", { name: "KYC", exact: true });
  await expect(kyc.getByRole("definition").first()).toHaveText("Approved");
  await expect(kyc.getByRole("list", { name: "KYC history" }).getByRole("listitem")).toHaveCount(2);
  await expect(kyc.getByRole("link", { name: "Open the KYC decision page" })).toHaveAttribute(
    "href",
    `/kyc/${approved.clientId}`,
  );

  // The approved client has left the queue; reject the other one for good.
  await openQueue(page, partner, 1);
  await queue.getByRole("link", { name: rejected.email, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `KYC: ${rejected.email}` })).toBeVisible();
  await decide.getByRole("radio", { name: /^Reject final/ }).check();
  await decide.getByRole("checkbox", { name: "FORGERY" }).check();
  const moderationComment = `The passport photo was edited (${tag})`;
  const clientComment = `Internal: same device as a blocked client (${tag})`;
  await decide.getByRole("textbox", { name: "Moderation comment (shown to the client)" }).fill(moderationComment);
  await decide.getByRole("textbox", { name: "Client comment (internal)" }).fill(clientComment);
  await decide.getByRole("button", { name: "Reject final" }).click();
  const confirm = page.getByRole("dialog", { name: `Reject ${rejected.email} for good?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Reject final" }).click();
  await expect(toast(page, `Rejected final: ${rejected.email} cannot submit again`)).toBeVisible();
  await expect(state.getByRole("definition").first()).toHaveText("Rejected (final)");
  const verdict = history.getByRole("listitem").first();
  await expect(verdict).toContainText(`Reviewed Rejected (final) · by ${staff.operations.name}`);
  await expect(verdict.getByRole("list", { name: "Reject labels" }).getByRole("listitem")).toHaveText(["FORGERY"]);
  await expect(verdict.getByRole("definition").filter({ hasText: moderationComment })).toHaveCount(1);
  await expect(
    verdict.getByRole("term").filter({ hasText: "Client comment (internal: never shown to the client)" }),
  ).toHaveCount(1);
  await expect(verdict).toContainText(clientComment);

  // A final rejection leaves the queue (a retry would stay in it).
  await openQueue(page, partner, 0);

  // What the clients' apps read: both decisions, and never the internal comment.
  const approvedState = await request.get("/reg/verification", { headers: bearer(approved) });
  expect(approvedState.status()).toBe(200);
  expect(await approvedState.json()).toMatchObject({
    status: "completed",
    answer: "GREEN",
    rejectType: null,
    canSubmit: false,
    verificationStatus: "identified",
    verificationLevel: partnerLevel,
  });
  const rejectedState = await request.get("/reg/verification", { headers: bearer(rejected) });
  expect(rejectedState.status()).toBe(200);
  const rejectedText = await rejectedState.text();
  expect(JSON.parse(rejectedText)).toMatchObject({
    status: "completed",
    answer: "RED",
    rejectType: "FINAL",
    rejectLabels: ["FORGERY"],
    moderationComment,
    canSubmit: false,
  });
  expect(rejectedText).not.toContain("clientComment");
  expect(rejectedText).not.toContain(clientComment);

  // Each decision is audited with the staff member who made it.
  const audited = await db.query<{ entity_id: string; actor_id: string }>(
    "select entity_id, actor_id from audit_events where action = 'kyc.staff_decision' and entity_id = any($1) order by at",
    [[approved.clientId, rejected.clientId]],
  );
  expect(audited.rows).toEqual([
    { entity_id: approved.clientId, actor_id: staff.operations.id },
    { entity_id: rejected.clientId, actor_id: staff.operations.id },
  ]);
});

test("a KYC decision shows in the Clients list the reviewer goes back to", async ({
  operationsPage: page,
  request,
}) => {
  const tag = uniqueTag();
  const partner = await createPartner({ sandbox: true });
  const client = await registerClient(request, partner, {
    firstName: "Liis",
    lastName: `Back${tag}`,
    email: `${tag}.liis@example.test`,
    countryCode: "EE",
  });
  await submitOnSandboxPage(page, await startVerification(request, client));

  // From the list to the client, and from there to the decision.
  await openClients(page, `?q=${encodeURIComponent(client.email)}`);
  const verification = () => clientRow(page, client.email).getByRole("cell").nth(5);
  await expect(verification()).not.toHaveText("Identified");
  await page.getByRole("link", { name: client.email, exact: true }).click();
  await page
    .getByRole("region", { name: "KYC", exact: true })
    .getByRole("link", { name: "Open the KYC decision page" })
    .click();
  await expect(page).toHaveURL(`/kyc/${client.clientId}`);
  await page.getByRole("region", { name: "Decide" }).getByRole("button", { name: "Approve verification" }).click();
  await expect(
    toast(page, new RegExp(`^Approved: ${client.email.replaceAll(".", "\\.")} is identified`)),
  ).toBeVisible();

  // Back twice: the list shows the decision, not the list as it was before it.
  await page.goBack();
  await expect(page).toHaveURL(`/clients/${client.clientId}`);
  await page.goBack();
  await expect(page).toHaveURL(/\/clients\?q=/);
  await expect(verification()).toHaveText("Identified");
});
