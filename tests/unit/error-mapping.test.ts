import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DatabaseUnavailableError } from "../../db/errors";
import { AppError } from "../../server/errors";
import { toHttpError } from "../../server/http/errors";
import { json, route } from "../../server/http/route";
import { log } from "../../server/log";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("toHttpError", () => {
  it("maps an AppError to its status, code, message, fields and Retry-After", () => {
    const error = new AppError("quota_exceeded", "Too many registrations from this address", {
      fields: [{ path: "email", message: "slow down" }],
      retryAfterSeconds: 42,
    });
    const mapped = toHttpError(error, "req-abcdefgh");
    expect(mapped).toEqual({
      status: 429,
      headers: { "retry-after": "42" },
      unexpected: false,
      body: {
        error: {
          code: "quota_exceeded",
          message: "Too many registrations from this address",
          fields: [{ path: "email", message: "slow down" }],
          requestId: "req-abcdefgh",
        },
      },
    });
  });

  it("sends no Retry-After when the error has none, and passes details through", () => {
    const mapped = toHttpError(AppError.field("partner_required", "partnerId", "Send partnerId"), "r1-12345678");
    expect(mapped.status).toBe(400);
    expect(mapped.headers).toEqual({});
    expect(mapped.body.error.fields).toEqual([{ path: "partnerId", message: "Send partnerId" }]);
    expect(mapped.body.error).not.toHaveProperty("details");

    const withDetails = toHttpError(
      new AppError("confirmation_code_invalid", "Wrong code", { details: { attemptsRemaining: 3 } }),
      "r2-12345678",
    );
    expect(withDetails.status).toBe(400);
    expect(withDetails.body.error.details).toEqual({ attemptsRemaining: 3 });
  });

  it.each([
    ["invalid_token", 401],
    ["account_inactive", 403],
    ["confirmation_locked", 423],
    ["confirmation_code_expired", 410],
    ["email_taken", 409],
    ["server_busy", 503],
  ] as const)("maps %s to %i", (code, status) => {
    expect(toHttpError(new AppError(code, "x"), "r-12345678").status).toBe(status);
  });

  it("maps a ZodError to 422 validation_failed with dotted field paths", () => {
    const schema = z.object({
      email: z.email(),
      address: z.object({ postalCode: z.string() }),
      items: z.array(z.number()),
    });
    const parsed = schema.safeParse({ email: "nope", address: { postalCode: 1 }, items: [1, "x"] });
    expect(parsed.success).toBe(false);
    const mapped = toHttpError(parsed.error, "req-zod-0001");
    expect(mapped.status).toBe(422);
    expect(mapped.unexpected).toBe(false);
    expect(mapped.body.error.code).toBe("validation_failed");
    expect(mapped.body.error.fields.map((f) => f.path).sort()).toEqual(["address.postalCode", "email", "items.1"]);
    expect(mapped.body.error.fields.every((f) => typeof f.message === "string" && f.message.length > 0)).toBe(true);
  });

  it("names the body itself when the whole value is wrong", () => {
    const parsed = z.object({ a: z.string() }).safeParse("not an object");
    expect(toHttpError(parsed.error, "req-zod-0002").body.error.fields.map((f) => f.path)).toEqual(["(body)"]);
  });

  it("maps an unreachable database to 503 service_unavailable with Retry-After", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const wrapped = new Error("Failed query: select 1", { cause: refused });
    const adminShutdown = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    const notRunning = new DatabaseUnavailableError("The embedded database in .data is not running");
    for (const error of [refused, wrapped, adminShutdown, notRunning]) {
      const mapped = toHttpError(error, "req-db-00001");
      expect(mapped.status).toBe(503);
      expect(mapped.body.error.code).toBe("service_unavailable");
      expect(mapped.headers["retry-after"]).toBe("5");
      expect(mapped.unexpected).toBe(false);
      expect(JSON.stringify(mapped.body)).not.toContain("5432");
    }
  });

  it("maps a query on a connection that died mid-transaction to 503 as well", () => {
    // node-postgres's words for a checked-out client whose connection was lost, or that the pool closed.
    const broken = new Error("Client has encountered a connection error and is not queryable");
    const closed = new Error("Client was closed and is not queryable");
    for (const error of [broken, closed, new Error("Failed query: commit\nparams: ", { cause: broken })]) {
      const mapped = toHttpError(error, "req-db-00003");
      expect(mapped).toMatchObject({
        status: 503,
        unexpected: false,
        headers: { "retry-after": "5" },
        body: { error: { code: "service_unavailable" } },
      });
    }
  });

  it("does not take a query error (a bug, not an outage) for an outage", () => {
    const syntax = Object.assign(new Error('syntax error at or near "selec"'), { code: "42601" });
    const mapped = toHttpError(new Error("Failed query", { cause: syntax }), "req-db-00002");
    expect(mapped.status).toBe(500);
    expect(mapped.body.error.code).toBe("internal_error");
  });

  it("maps a value the database refused to 400, and a collision with another transaction to 409 with Retry-After; both are logged", () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" });
    expect(toHttpError(new Error("Failed query", { cause: nul }), "req-db-00004")).toMatchObject({
      status: 400,
      unexpected: true,
      headers: {},
      body: { error: { code: "invalid_request" } },
    });
    const deadlock = Object.assign(new Error("deadlock detected"), { code: "40P01" });
    expect(toHttpError(deadlock, "req-db-00005")).toMatchObject({
      status: 409,
      unexpected: true,
      headers: { "retry-after": "1" },
      body: { error: { code: "conflict" } },
    });
  });

  it("maps an unknown error to 500 internal_error without leaking its message or stack", () => {
    const error = new Error("password=hunter2 at /srv/gatehouse/server/secret.ts");
    const mapped = toHttpError(error, "req-unknown1");
    expect(mapped.status).toBe(500);
    expect(mapped.unexpected).toBe(true);
    expect(mapped.headers).toEqual({});
    expect(mapped.body.error).toMatchObject({ code: "internal_error", fields: [], requestId: "req-unknown1" });
    const text = JSON.stringify(mapped.body);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("/srv/gatehouse");
    expect(text).not.toContain(error.stack!.split("\n")[1]!.trim());
    expect(text).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it("maps thrown non-errors (strings, null) to 500 as well", () => {
    expect(toHttpError("boom", "req-unknown2")).toMatchObject({
      status: 500,
      unexpected: true,
      body: { error: { code: "internal_error" } },
    });
    expect(toHttpError(null, "req-unknown3")).toMatchObject({
      status: 500,
      unexpected: true,
      body: { error: { code: "internal_error" } },
    });
  });
});

describe("route() wrapper", () => {
  const request = (headers: Record<string, string> = {}, init: RequestInit = {}) =>
    new Request("http://gatehouse.test/api/thing", { headers, ...init });

  it("answers a handler's plain Error with 500 JSON, a fresh request id and no internals, and logs it", async () => {
    const logged = vi.spyOn(log, "error").mockImplementation(() => undefined);
    const handler = route(async () => {
      throw new Error("db password is hunter2");
    });
    const res = await handler(request());
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toMatch(UUID);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("route.ts");
    expect(JSON.parse(text)).toEqual({
      error: { code: "internal_error", message: expect.any(String), fields: [], requestId },
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]![1]).toMatchObject({ requestId });
  });

  it("answers an AppError with its status and Retry-After, and does not log it as a failure", async () => {
    const logged = vi.spyOn(log, "error").mockImplementation(() => undefined);
    const res = await route(async () => {
      throw new AppError("server_busy", "Busy", { retryAfterSeconds: 1 });
    })(request());
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await res.json()).error.code).toBe("server_busy");
    expect(logged).not.toHaveBeenCalled();
  });

  it("echoes a valid incoming x-request-id (1–128 of A-Z a-z 0-9 . _ -), on errors and on success", async () => {
    vi.spyOn(log, "error").mockImplementation(() => undefined);
    const failing = await route(async () => {
      throw new Error("x");
    })(request({ "x-request-id": "trace-1234.abc_XYZ-z" }));
    expect(failing.headers.get("x-request-id")).toBe("trace-1234.abc_XYZ-z");
    expect((await failing.json()).error.requestId).toBe("trace-1234.abc_XYZ-z");

    for (const incoming of ["a", "abcdefgh", "b".repeat(128)]) {
      const ok = await route(async (ctx) => json({ seen: ctx.caller.requestId }))(
        request({ "x-request-id": incoming }),
      );
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-request-id")).toBe(incoming);
      expect(await ok.json()).toEqual({ seen: incoming });
    }
  });

  it.each([
    ["empty", ""],
    ["with spaces", "hello world 123"],
    ["with a colon", "trace:1234"],
    ["with a header-injection attempt", "abcdefgh<script>"],
    ["too long", "a".repeat(129)],
  ])("replaces an invalid incoming x-request-id (%s) with a fresh one", async (_label, incoming) => {
    const res = await route(async (ctx) => json({ seen: ctx.caller.requestId }))(request({ "x-request-id": incoming }));
    const requestId = res.headers.get("x-request-id");
    expect(requestId).not.toBe(incoming);
    expect(requestId).toMatch(UUID);
    expect(await res.json()).toEqual({ seen: requestId });
  });

  it("turns an invalid JSON body into 400 invalid_json and a schema failure into 422 naming the field", async () => {
    const handler = route(async (ctx) => json(await ctx.body(z.object({ email: z.email() }))));
    const post = (body: string) => request({ "content-type": "application/json" }, { method: "POST", body });
    const malformed = await handler(post("{not json"));
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toMatchObject({ code: "invalid_json", fields: [{ path: "(body)" }] });
    const invalid = await handler(post(JSON.stringify({ email: "nope" })));
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).error).toMatchObject({ code: "validation_failed", fields: [{ path: "email" }] });
    const ok = await handler(post(JSON.stringify({ email: "a@example.test" })));
    expect(ok.status).toBe(200);
  });
});
