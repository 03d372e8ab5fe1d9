import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "../../env";
import {
  codeIn,
  createTestPartner,
  latestEmailTo,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
} from "../support/api";
import { callerFor, createTestStaff } from "../support/staff";
import { parseSamples, valueOf } from "./metrics-text";

const api = useApi();

async function scrape(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${api.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

const DURATION_COUNT = "gatehouse_http_request_duration_seconds_count";

afterEach(() => {
  delete process.env.METRICS_TOKEN;
  resetConfigForTests();
});

describe("GET /metrics", () => {
  it("serves every metric of the contract in Prometheus text format", async () => {
    // A request first, so the histogram has a series to show.
    expect((await api.get("/api/health")).status).toBe(200);
    const text = await scrape();
    for (const [name, type] of [
      ["gatehouse_http_request_duration_seconds", "histogram"],
      ["gatehouse_registrations_total", "counter"],
      ["gatehouse_outbox_pending", "gauge"],
      ["gatehouse_outbox_oldest_age_seconds", "gauge"],
      ["gatehouse_webhook_deliveries_pending", "gauge"],
      ["gatehouse_webhook_deliveries_oldest_age_seconds", "gauge"],
      ["gatehouse_password_hash_queue", "gauge"],
      ["gatehouse_password_hash_pool_size", "gauge"],
      ["gatehouse_password_hash_queue_limit", "gauge"],
      ["gatehouse_password_hash_rejected_total", "counter"],
      ["gatehouse_db_pool_connections", "gauge"],
      ["gatehouse_db_pool_max", "gauge"],
      ["gatehouse_database_up", "gauge"],
      ["process_cpu_seconds_total", "counter"],
      ["process_resident_memory_bytes", "gauge"],
      ["process_start_time_seconds", "gauge"],
    ]) {
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    }
    expect(valueOf(text, "gatehouse_database_up")).toBe(1);
    expect(valueOf(text, "gatehouse_db_pool_connections", { state: "total" })).toBeGreaterThan(0);
    expect(valueOf(text, "gatehouse_password_hash_pool_size")).toBeGreaterThan(0);
    expect(valueOf(text, DURATION_COUNT, { route: "/api/health", method: "GET", status: "200" })).toBeGreaterThan(0);
    // Every line parses as a sample or a comment.
    expect(parseSamples(text).length).toBeGreaterThan(20);
  });

  it("counts a request under its route template, never its raw path; unknown paths and procedures under one label", async () => {
    const invoiceId = randomUUID();
    const before = await scrape();
    const labels = { route: "/invoice/{invoiceId}", method: "GET", status: "401" };
    expect((await api.get(`/invoice/${invoiceId}`)).status).toBe(401);
    expect((await api.get(`/invoice/${randomUUID()}`)).status).toBe(401);
    const unknown = randomUUID();
    expect((await api.get(`/api/no-such-thing/${unknown}`)).status).toBe(404);
    const procedure = `nope.${randomUUID()}`;
    expect((await api.get(`/api/trpc/${procedure}`)).status).toBe(404);
    // Outside Next.js the staff session cannot be read, so the status here is not the point: the label is.
    const listed = String((await api.get("/api/trpc/client.list")).status);
    const after = await scrape();

    expect(valueOf(after, DURATION_COUNT, labels) - valueOf(before, DURATION_COUNT, labels)).toBe(2);
    expect(
      valueOf(after, DURATION_COUNT, { route: "unmatched", status: "404" }) -
        valueOf(before, DURATION_COUNT, { route: "unmatched", status: "404" }),
    ).toBe(2);
    expect(
      valueOf(after, DURATION_COUNT, { route: "/api/trpc/client.list", status: listed }) -
        valueOf(before, DURATION_COUNT, { route: "/api/trpc/client.list", status: listed }),
    ).toBe(1);
    for (const raw of [invoiceId, unknown, procedure]) expect(after).not.toContain(raw);
    const routes = new Set(
      parseSamples(after)
        .filter((s) => s.name === DURATION_COUNT)
        .map((s) => s.labels.route),
    );
    for (const route of routes) expect(route, "a template or unmatched").toMatch(/^(\/[\w.{}-]*)+$|^unmatched$/);
  });

  it("counts registrations by flavour and outcome through the real handlers and the back office", async () => {
    const partner = await createTestPartner();
    const staff = await createTestStaff("operations");
    const count = (text: string, flavour: string, outcome: string) =>
      valueOf(text, "gatehouse_registrations_total", { flavour, outcome });
    const before = await scrape();

    const body = whiteLabelBody();
    const masterKey = { authorization: `Bearer ${partner.masterKey}` };
    expect((await api.post("/api/public/register", body, masterKey)).status).toBe(201);
    expect((await api.post("/api/public/register", body, masterKey)).status).toBe(409);
    expect((await api.post("/api/public/register", { ...body, email: "not an email" }, masterKey)).status).toBe(422);

    const email = uniqueEmail("metrics");
    const partnerBody = { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD };
    const headers = { partnerId: String(partner.id) };
    expect((await api.post("/reg/user", partnerBody, headers)).status).toBe(202);
    const code = codeIn((await latestEmailTo(email))?.text);
    expect((await api.post("/reg/user", { ...partnerBody, emailConfirmCode: code }, headers)).status).toBe(201);

    await callerFor(staff).registration.create({ ...whiteLabelBody(), agreed: true, partnerId: partner.id });
    const after = await scrape();

    const moved = (flavour: string, outcome: string) =>
      count(after, flavour, outcome) - count(before, flavour, outcome);
    expect(moved("white_label", "created")).toBe(1);
    expect(moved("white_label", "duplicate")).toBe(1);
    expect(moved("white_label", "invalid")).toBe(1);
    expect(moved("partner", "started")).toBe(1);
    expect(moved("partner", "created")).toBe(1);
    expect(moved("back_office", "created")).toBe(1);
    expect(moved("back_office", "error")).toBe(0);
  });

  it("requires the bearer token when METRICS_TOKEN is set", async () => {
    const token = `metrics-${randomUUID()}`;
    process.env.METRICS_TOKEN = token;
    resetConfigForTests();

    const without = await fetch(`${api.url}/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get("content-type")).toMatch(/application\/json/);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const wrong = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain("gatehouse_");

    expect(await scrape({ authorization: `Bearer ${token}` })).toContain("gatehouse_registrations_total");
  });
});
