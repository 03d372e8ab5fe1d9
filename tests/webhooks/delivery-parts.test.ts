import { lookup } from "node:dns/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPublicAddress } from "../../server/webhooks/address-guard";
import { postWebhook, RESPONSE_BYTES_KEPT } from "../../server/webhooks/outbound";
import { GIVE_UP_AFTER_MS, nextAttemptAt } from "../../server/webhooks/schedule";
import { newWebhookSecret, signWebhook } from "../../server/webhooks/signing";

describe("Standard Webhooks signatures", () => {
  const body = JSON.stringify({
    type: "client.registered",
    timestamp: "2026-12-03T10:00:00.000Z",
    data: { clientId: "c1", partnerId: 1000 },
  });
  const now = () => Math.floor(Date.now() / 1000);

  it("verify with the reference library, as a partner verifies them", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = signWebhook({ id: "msg_1", timestampSeconds: now(), body, secrets: [secret] });
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it("carry one signature per secret during a rotation, each verifying with its own secret; a changed body or another secret fails", () => {
    const [old, current] = [newWebhookSecret(), newWebhookSecret()];
    const headers = signWebhook({ id: "msg_2", timestampSeconds: now(), body, secrets: [current, old] });
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(old).verify(body, { ...headers })).toBeTruthy();
    expect(new Webhook(current).verify(body, { ...headers })).toBeTruthy();
    expect(() => new Webhook(current).verify(body.replace("c1", "c2"), { ...headers })).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow();
  });
});

describe("the retry schedule", () => {
  const first = new Date("2026-12-01T00:00:00Z");

  it("waits about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then every 10 h, ±20%", () => {
    const waits: number[] = [];
    let failedAt = first;
    for (let attempts = 1; attempts <= 8; attempts++) {
      const next = nextAttemptAt({ attempts, firstAttemptAt: first, failedAt, random: 0.5 })!;
      waits.push(next.getTime() - failedAt.getTime());
      failedAt = next;
    }
    expect(waits).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000]);
    expect(
      nextAttemptAt({ attempts: 1, firstAttemptAt: first, failedAt: first, random: 0 })!.getTime() - first.getTime(),
    ).toBe(4_000);
    expect(
      nextAttemptAt({ attempts: 1, firstAttemptAt: first, failedAt: first, random: 0.999999 })!.getTime() -
        first.getTime(),
    ).toBe(6_000);
  });

  it("gives up once the next attempt would be more than 72 h after the first", () => {
    const late = new Date(first.getTime() + GIVE_UP_AFTER_MS - 3_600_000);
    expect(nextAttemptAt({ attempts: 12, firstAttemptAt: first, failedAt: late, random: 0.5 })).toBeNull();
    expect(nextAttemptAt({ attempts: 2, firstAttemptAt: first, failedAt: late, random: 0.5 })).not.toBeNull();
  });
});

describe("which addresses a webhook may reach", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd12:3456::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "64:ff9b::10.0.0.1",
    "2001:db8::1",
  ])("refuses %s", (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("allows %s", (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );
});

describe("sending one webhook", () => {
  const received: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        received.push({ path: req.url ?? "", headers: req.headers, body });
        if (req.url === "/ok") res.writeHead(204).end();
        else if (req.url === "/fail") res.writeHead(500).end("boom");
        else if (req.url === "/redirect") res.writeHead(302, { location: "/ok?redirected" }).end();
        else if (req.url === "/big") res.writeHead(200).end("x".repeat(100_000));
        // "/slow" never answers.
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (path: string, timeoutMs = 2000) =>
    postWebhook({
      url: `${base}${path}`,
      headers: { "webhook-id": "msg_x" },
      body: '{"type":"test"}',
      timeoutMs,
      allowPrivate: true,
    });

  it("posts the JSON body with its headers and reports the status", async () => {
    expect(await send("/ok")).toMatchObject({ kind: "answered", status: 204 });
    const last = received.at(-1)!;
    expect(last).toMatchObject({ path: "/ok", body: '{"type":"test"}' });
    expect(last.headers).toMatchObject({ "webhook-id": "msg_x", "content-type": "application/json" });
    expect(await send("/fail")).toMatchObject({ kind: "answered", status: 500, body: "boom" });
  });

  it("does not follow a redirect", async () => {
    const before = received.length;
    expect(await send("/redirect")).toMatchObject({ kind: "answered", status: 302 });
    expect(received.slice(before).map((r) => r.path)).toEqual(["/redirect"]);
  });

  it("reads at most 4 KB of the answer", async () => {
    const outcome = await send("/big");
    expect(outcome).toMatchObject({ kind: "answered", status: 200 });
    expect(outcome.kind === "answered" && outcome.body.length).toBe(RESPONSE_BYTES_KEPT);
  });

  it("gives up on a receiver that does not answer within the timeout", async () => {
    const outcome = await send("/slow", 300);
    expect(outcome).toMatchObject({ kind: "failed", error: expect.stringMatching(/no answer within 300 ms/) });
    expect(outcome.durationMs).toBeLessThan(2000);
  });
});

describe("refusing private destinations (without WEBHOOK_ALLOW_PRIVATE_URLS)", () => {
  const refuse = (url: string) => postWebhook({ url, headers: {}, body: "{}", timeoutMs: 2000, allowPrivate: false });

  it.each([
    "https://127.0.0.1/hook",
    "https://10.0.0.5/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]/hook",
    "https://localhost/hook",
    "http://example.com/hook",
    "https://user:pw@example.com/hook",
    "not a url",
  ])("refuses %s before connecting", async (url) => expect(await refuse(url)).toMatchObject({ kind: "refused" }));

  it("refuses a DNS name that resolves to a private address, at connection time", async () => {
    const name = os.hostname();
    const resolved = await lookup(name);
    // The precondition: on these machines the host's own name resolves to a loopback or private address.
    expect(isPublicAddress(resolved.address), `${name} resolves to ${resolved.address}`).toBe(false);
    expect(await refuse(`https://${name}:9/hook`)).toMatchObject({
      kind: "refused",
      error: expect.stringMatching(/not public/),
    });
  });
});
