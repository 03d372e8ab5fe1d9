import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetConfigForTests } from "../../env";
import { route } from "../../server/http/route";
import { startJob } from "../../server/jobs/runner";
import { log, withLogFields } from "../../server/log";
import { createTestPartner, useApi } from "../support/api";

// The request lines are info: this file reads them (the tests' default level is error).
const previousLogLevel = vi.hoisted(() => {
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "info";
  return previous;
});

const api = useApi();

type Line = Record<string, unknown>;
let written: string[] = [];
const restore: (() => void)[] = [];

beforeAll(() => {
  resetConfigForTests();
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = (chunk: string | Uint8Array) => {
      written.push(`${stream === process.stdout ? "stdout" : "stderr"}\t${String(chunk)}`);
      return true;
    };
    restore.push(() => (stream.write = original));
  }
});

afterAll(() => {
  for (const undo of restore.splice(0)) undo();
  if (previousLogLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLogLevel;
  resetConfigForTests();
});

beforeEach(() => {
  written = [];
});

/** The JSON lines written so far on this stream. */
function lines(stream: "stdout" | "stderr" = "stdout"): Line[] {
  return written
    .filter((w) => w.startsWith(`${stream}\t`))
    .flatMap((w) => w.slice(stream.length + 1).split("\n"))
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Line);
}

const requestLine = (requestId: string, stream: "stdout" | "stderr" = "stdout") =>
  lines(stream).find((l) => l.requestId === requestId && (l.msg === "request" || l.msg === "request failed"));

describe("request log lines", () => {
  it("one JSON line per request with the spec's fields; an incoming X-Request-Id is kept and echoed", async () => {
    const requestId = `trace.${randomUUID()}_1`;
    const invoiceId = randomUUID();
    const res = await api.get(`/invoice/${invoiceId}`, { "x-request-id": requestId });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-request-id")).toBe(requestId);

    const line = requestLine(requestId);
    expect(line).toMatchObject({
      level: "info",
      msg: "request",
      requestId,
      method: "GET",
      route: "/invoice/{invoiceId}",
      status: 401,
    });
    expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
    expect(typeof line!.durationMs).toBe("number");
    expect(line!.durationMs as number).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines())).not.toContain(invoiceId);
    expect(lines().filter((l) => l.requestId === requestId && l.msg === "request")).toHaveLength(1);
  });

  it("an X-Request-Id that breaks the rule (1–128 of A-Z a-z 0-9 . _ -) is replaced by a new one, echoed", async () => {
    for (const bad of ["has space", "x".repeat(129), "semi;colon", "colon:id"]) {
      const res = await api.get("/api/health", { "x-request-id": bad });
      const echoed = res.headers.get("x-request-id");
      expect(echoed).not.toBe(bad);
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestLine(echoed!)).toMatchObject({ route: "/api/health", status: 200 });
    }
    const shortest = await api.get("/api/health", { "x-request-id": "a" });
    expect(shortest.headers.get("x-request-id")).toBe("a");
    const longest = "A.b_C-9".repeat(18).slice(0, 128);
    expect((await api.get("/api/health", { "x-request-id": longest })).headers.get("x-request-id")).toBe(longest);
  });

  it("carries the partner once the request resolved it", async () => {
    const partner = await createTestPartner();
    const requestId = `partner-${randomUUID()}`;
    const res = await api.post(
      "/api/public/register",
      {},
      { authorization: `Bearer ${partner.masterKey}`, "x-request-id": requestId },
    );
    expect(res.status).toBe(422);
    expect(requestLine(requestId)).toMatchObject({
      route: "/api/public/register",
      method: "POST",
      status: 422,
      partnerId: partner.id,
    });
    // The master key never reaches a line.
    expect(written.join("")).not.toContain(partner.masterKey);
  });

  it("an unexpected failure is one error line with err and the request id, on stderr; lines inside carry the request id", async () => {
    const requestId = `boom-${randomUUID()}`;
    const failing = route(async () => {
      log.info("inside the handler");
      throw new Error("boom: the handler failed");
    });
    const res = await failing(
      new Request("http://gatehouse.test/reg/user", { headers: { "x-request-id": requestId } }),
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe(requestId);
    expect(lines().find((l) => l.msg === "inside the handler")).toMatchObject({ requestId });
    const line = requestLine(requestId, "stderr");
    expect(line).toMatchObject({
      level: "error",
      msg: "request failed",
      requestId,
      route: "/reg/user",
      status: 500,
      err: { type: "Error", message: "boom: the handler failed" },
    });
    expect(requestLine(requestId, "stdout")).toBeUndefined();
  });
});

describe("background job lines", () => {
  it("every line a job's run writes carries job, and not the id of a request that woke it", async () => {
    const name = `observability-${randomUUID().slice(0, 8)}`;
    let runs = 0;
    const job = startJob({
      name,
      intervalMs: 60_000,
      firstRunMs: 60_000,
      async run() {
        runs++;
        log.info("job ran", { batch: runs });
        if (runs === 2) throw new Error("second run failed");
        return false;
      },
    });
    try {
      withLogFields({ requestId: "the-waking-request" }, () => job.wake());
      await vi.waitFor(() => expect(lines().some((l) => l.msg === "job ran")).toBe(true));
      const ran = lines().find((l) => l.msg === "job ran")!;
      expect(ran).toMatchObject({ level: "info", job: name, batch: 1 });
      expect(ran.requestId).toBeUndefined();

      job.wake();
      await vi.waitFor(() => expect(lines("stderr").some((l) => l.job === name)).toBe(true));
      expect(lines("stderr").find((l) => l.job === name)).toMatchObject({
        level: "warn",
        err: { message: "second run failed" },
      });
    } finally {
      await job.stop();
    }
  });
});
