import { expect, test } from "./fixtures";

test("integrators read the API documentation", async ({ page, request }) => {
  await page.goto("/docs");

  await expect(page).toHaveTitle(/API documentation/);
  const main = page.getByRole("main");
  await expect(main.getByRole("heading", { level: 1, name: "Gatehouse API" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "API documentation contents" })).toBeVisible();

  const register = main.getByRole("heading", { level: 3, name: "POST /api/public/register", exact: true });
  await expect(register).toBeVisible();
  await expect(main.getByRole("heading", { level: 3, name: "POST /reg/user", exact: true })).toBeVisible();

  const body = main.getByRole("table", { name: "Request body of POST /api/public/register" });
  await expect(body.getByRole("rowheader", { name: "verificationLevel", exact: true })).toBeVisible();
  await expect(body.getByRole("row", { name: /^birthDate\b.*\brequired\b/ })).toBeVisible();

  // The table of contents leads to the endpoint.
  await page
    .getByRole("navigation", { name: "API documentation contents" })
    .getByRole("link", { name: "POST /api/public/register" })
    .click();
  await expect(page).toHaveURL(/#register$/);
  await expect(register).toBeInViewport();

  const response = await request.get("/api/openapi.json");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/json");
  const doc = await response.json();
  expect(doc.openapi).toBe("3.1.0");
  expect(doc.paths["/api/public/register"].post.requestBody.content["application/json"].schema.$ref).toBe(
    "#/components/schemas/WhiteLabelRegistrationRequest",
  );
});
