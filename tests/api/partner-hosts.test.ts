import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients, partners, pendingRegistrations } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { systemCaller } from "../../server/caller";
import { CORS_MAX_AGE_SECONDS } from "../../server/http/cors";
import { setPartnerHosts } from "../../server/partners/hosts";
import {
  createTestPartner,
  latestEmailTo,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type TestPartner,
} from "../support/api";

/**
 * White-label hosts and CORS over real HTTP: which partner a public request
 * acts for (master key, partnerId header, host, DEFAULT_PARTNER_ID), and
 * which browser origins may read the answers. fetch() cannot set Host or
 * Origin, so requests go out through node:http.
 */

const api = useApi();

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

function send(
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<RawResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      api.url + urlPath,
      { method, headers: { ...(payload ? { "content-type": "application/json" } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            // Left as text for the assertion to show.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const freshHost = (label = "wl") => `${label}-${randomUUID().slice(0, 8)}.partners.example`;
const freshOrigin = (label = "app") => `https://${label}-${randomUUID().slice(0, 8)}.apps.example`;
/** A host no partner has: the test server's own address plays the shared API host. */
const SHARED_HOST = "api.gatehouse.example";

async function partnerWith(
  o: { hosts?: string[]; origins?: string[]; sandbox?: boolean } = {},
): Promise<TestPartner & { host: string }> {
  const partner = await createTestPartner({ sandbox: o.sandbox ?? false });
  const hosts = o.hosts ?? [freshHost()];
  await setPartnerHosts(systemCaller("test"), { partnerId: partner.id, hosts, allowedOrigins: o.origins ?? [] });
  return { ...partner, host: hosts[0]! };
}

const register = (headers: Record<string, string>, overrides: Record<string, unknown> = {}) =>
  send("POST", "/api/public/register", headers, whiteLabelBody(overrides));

async function partnerOfClient(clientId: string) {
  const [row] = await getDb().select({ partnerId: clients.partnerId }).from(clients).where(eq(clients.id, clientId));
  return row?.partnerId;
}

function useEnv(values: Record<string, string>) {
  Object.assign(process.env, values);
  resetConfigForTests();
}

afterEach(() => {
  delete process.env.DEFAULT_PARTNER_ID;
  delete process.env.TRUSTED_PROXY_COUNT;
  resetConfigForTests();
});

describe("the partner a public request acts for", () => {
  it("a request to a partner's host with no partnerId header registers under that partner (any case, with a port)", async () => {
    const partner = await partnerWith();
    const res = await register({ host: partner.host });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await partnerOfClient(res.body.clientId)).toBe(partner.id);

    const again = await register({ host: `${partner.host.toUpperCase()}:443` });
    expect(again.status).toBe(201);
    expect(await partnerOfClient(again.body.clientId)).toBe(partner.id);
  });

  it("the partnerId header beats the host", async () => {
    const [named, hostOwner] = [await partnerWith(), await partnerWith()];
    const res = await register({ host: hostOwner.host, partnerId: String(named.id) });
    expect(res.status).toBe(201);
    expect(await partnerOfClient(res.body.clientId)).toBe(named.id);
  });

  it("the master key beats the host and the header: its partner is the one, and a header naming another is refused", async () => {
    const [keyOwner, hostOwner] = [await partnerWith(), await partnerWith()];
    const authorization = `Bearer ${keyOwner.masterKey}`;
    const byKey = await register({ host: hostOwner.host, authorization }, { verificationLevel: 3 });
    expect(byKey.status, JSON.stringify(byKey.body)).toBe(201);
    expect(await partnerOfClient(byKey.body.clientId)).toBe(keyOwner.id);

    const withHeader = await register({ host: hostOwner.host, authorization, partnerId: String(keyOwner.id) });
    expect(await partnerOfClient(withHeader.body.clientId)).toBe(keyOwner.id);

    const mismatch = await register({ host: keyOwner.host, authorization, partnerId: String(hostOwner.id) });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.error.fields).toEqual([expect.objectContaining({ path: "partnerId" })]);
  });

  it("the verification fields still need the key: a host is not a credential", async () => {
    const partner = await partnerWith();
    const res = await register({ host: partner.host }, { verificationLevel: 3 });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("master_key_required");
  });

  it("a suspended partner's host is refused by name; an unknown host with nothing else is partner_required", async () => {
    const partner = await partnerWith();
    await getDb().update(partners).set({ status: "suspended" }).where(eq(partners.id, partner.id));
    const suspended = await register({ host: partner.host });
    expect(suspended.status).toBe(403);
    expect(suspended.body.error).toMatchObject({ code: "partner_suspended", fields: [{ path: "Host" }] });

    const unknown = await register({ host: freshHost("nobody") });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "partner_required", fields: [{ path: "partnerId" }] });
  });

  it("DEFAULT_PARTNER_ID comes last: after the host, before nothing", async () => {
    const [fallback, hostOwner] = [await partnerWith(), await partnerWith()];
    useEnv({ DEFAULT_PARTNER_ID: String(fallback.id) });
    const byDefault = await register({ host: SHARED_HOST });
    expect(byDefault.status).toBe(201);
    expect(await partnerOfClient(byDefault.body.clientId)).toBe(fallback.id);

    const byHost = await register({ host: hostOwner.host });
    expect(await partnerOfClient(byHost.body.clientId)).toBe(hostOwner.id);
  });

  it("X-Forwarded-Host counts only behind trusted proxies, and then only the entry the outermost one wrote", async () => {
    const [a, b] = [await partnerWith(), await partnerWith()];
    const forged = await register({ host: SHARED_HOST, "x-forwarded-host": a.host });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe("partner_required");

    useEnv({ TRUSTED_PROXY_COUNT: "1" });
    const proxied = await register({ host: "gatehouse.internal:3000", "x-forwarded-host": a.host });
    expect(await partnerOfClient(proxied.body.clientId)).toBe(a.id);
    // The client wrote a's host; the proxy appended the one it was asked for.
    const appended = await register({ host: "gatehouse.internal:3000", "x-forwarded-host": `${a.host}, ${b.host}` });
    expect(await partnerOfClient(appended.body.clientId)).toBe(b.id);
    // A proxy that passes Host through and adds nothing: the Host it passed.
    const passedThrough = await register({ host: b.host });
    expect(await partnerOfClient(passedThrough.body.clientId)).toBe(b.id);
  });

  it("the partner API resolves the same way: /reg/user on a partner's host without the header starts a registration for that partner", async () => {
    const partner = await partnerWith({ sandbox: true });
    const email = uniqueEmail("reg-host");
    const res = await send(
      "POST",
      "/reg/user",
      { host: partner.host },
      { email, password: STRONG_PARTNER_PASSWORD, userType: "CUSTOMER" },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const pending = await getDb()
      .select({ partnerId: pendingRegistrations.partnerId })
      .from(pendingRegistrations)
      .where(
        and(sql`lower(${pendingRegistrations.email}) = lower(${email})`, eq(pendingRegistrations.state, "pending")),
      );
    expect(pending).toEqual([{ partnerId: partner.id }]);

    const conflicting = await send(
      "POST",
      "/reg/user",
      { host: partner.host, partnerId: String(partner.id) },
      { email: uniqueEmail(), password: STRONG_PARTNER_PASSWORD, partnerId: partner.id + 1 },
    );
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.error.fields).toEqual([expect.objectContaining({ path: "partnerId" })]);
  });

  it("links in the partner's emails use its first host", async () => {
    const partner = await partnerWith({ hosts: [freshHost("first"), freshHost("second")] });
    const email = uniqueEmail("link");
    expect((await register({ partnerId: String(partner.id) }, { email })).status).toBe(201);
    const mail = await latestEmailTo(email);
    expect(mail?.template).toBe("email_confirmation");
    expect(mail?.text).toContain(`https://${partner.host}/confirm-email?token=`);

    const plain = await createTestPartner();
    const other = uniqueEmail("link-plain");
    expect((await register({ partnerId: String(plain.id) }, { email: other })).status).toBe(201);
    expect((await latestEmailTo(other))?.text).toMatch(/http:\/\/gatehouse\.test\/confirm-email\?token=/);
  });
});

const ALLOWED_HEADERS = [
  "content-type",
  "authorization",
  "partnerid",
  "captcha-token",
  "device-type",
  "idempotency-key",
  "x-request-id",
];

const preflight = (urlPath: string, headers: Record<string, string>) =>
  send("OPTIONS", urlPath, {
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type, partnerid",
    ...headers,
  });

function corsOf(res: RawResponse): Record<string, string> {
  return Object.fromEntries(
    Object.entries(res.headers)
      .filter(([k]) => k.startsWith("access-control-"))
      .map(([k, v]) => [k, String(v)]),
  );
}

const varies = (res: RawResponse) =>
  String(res.headers.vary ?? "")
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .includes("origin");

describe("CORS on the public API", () => {
  it("a preflight from an origin the host's partner allows: 204 naming the origin (never *), the methods, the headers the API reads, Max-Age and Vary: Origin", async () => {
    const origin = freshOrigin();
    const partner = await partnerWith({ origins: [origin] });
    const res = await preflight("/api/public/register", { host: partner.host, origin });
    expect(res.status).toBe(204);
    const cors = corsOf(res);
    expect(cors["access-control-allow-origin"]).toBe(origin);
    expect(cors["access-control-allow-methods"]!.split(/,\s*/)).toEqual(
      expect.arrayContaining(["GET", "POST", "OPTIONS"]),
    );
    expect(cors["access-control-allow-headers"]!.split(/,\s*/).sort()).toEqual([...ALLOWED_HEADERS].sort());
    expect(cors["access-control-max-age"]).toBe(String(CORS_MAX_AGE_SECONDS));
    expect(cors["access-control-allow-credentials"]).toBeUndefined();
    expect(varies(res)).toBe(true);
  });

  it("a preflight from any other origin gets a 204 without a single CORS header (and still Vary: Origin)", async () => {
    const partner = await partnerWith({ origins: [freshOrigin()] });
    for (const origin of [freshOrigin("stranger"), `${partner.host}`, "null", `https://${partner.host}`]) {
      const res = await preflight("/api/public/register", { host: partner.host, origin });
      expect(res.status, origin).toBe(204);
      expect(corsOf(res), origin).toEqual({});
      expect(varies(res)).toBe(true);
    }
    // Another partner's origin is no better on this partner's host.
    const otherOrigin = freshOrigin("other");
    await partnerWith({ origins: [otherOrigin] });
    expect(corsOf(await preflight("/api/public/register", { host: partner.host, origin: otherOrigin }))).toEqual({});
  });

  it("on the shared host a preflight (which carries no partnerId) passes for an origin some partner lists, on every public path", async () => {
    const origin = freshOrigin("shared");
    await partnerWith({ origins: [origin] });
    const paths = [
      "/api/public/register",
      "/api/public/authenticate",
      "/api/public/captcha",
      "/api/token/refresh",
      "/reg/user",
      "/reg/subscription",
      "/oauth/token",
      "/invoice/payment",
      "/wallet/accounts",
      "/.well-known/jwks.json",
      "/reg/no-such-endpoint",
    ];
    for (const p of paths) {
      const res = await preflight(p, { host: SHARED_HOST, origin });
      expect(res.status, p).toBe(204);
      expect(res.headers["access-control-allow-origin"], p).toBe(origin);
    }
    expect(corsOf(await preflight("/reg/user", { host: SHARED_HOST, origin: freshOrigin("nobodys") }))).toEqual({});
  });

  it("answers carry the headers for the allowed origin, errors included; the partner the request names decides", async () => {
    const origin = freshOrigin();
    const partner = await partnerWith({ origins: [origin] });
    const invalid = await send(
      "POST",
      "/api/public/register",
      { host: partner.host, origin },
      { email: "not an email" },
    );
    expect(invalid.status).toBe(422);
    expect(invalid.headers["access-control-allow-origin"]).toBe(origin);
    expect(String(invalid.headers["access-control-expose-headers"])).toContain("x-request-id");
    expect(varies(invalid)).toBe(true);

    const created = await send(
      "POST",
      "/api/public/register",
      { host: SHARED_HOST, partnerId: String(partner.id), origin },
      whiteLabelBody(),
    );
    expect(created.status).toBe(201);
    expect(created.headers["access-control-allow-origin"]).toBe(origin);

    // A request naming another partner is not readable from this partner's origin, though the preflight passed.
    const other = await partnerWith();
    const foreign = await send(
      "POST",
      "/api/public/register",
      { host: SHARED_HOST, partnerId: String(other.id), origin },
      whiteLabelBody(),
    );
    expect(foreign.status).toBe(201);
    expect(corsOf(foreign)).toEqual({});

    // A partner that does not exist: the error is readable for an origin some partner lists.
    const unknown = await send(
      "POST",
      "/api/public/register",
      { host: SHARED_HOST, partnerId: "2147483000", origin },
      whiteLabelBody(),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers["access-control-allow-origin"]).toBe(origin);
  });

  it("http://localhost counts for a sandbox partner only, even when a live partner still lists it", async () => {
    const local = `http://localhost:${40000 + Math.floor(Math.random() * 20000)}`;
    const sandbox = await partnerWith({ sandbox: true, origins: [local] });
    expect(
      (await preflight("/api/public/register", { host: sandbox.host, origin: local })).headers[
        "access-control-allow-origin"
      ],
    ).toBe(local);

    const live = await partnerWith();
    const liveLocal = `http://localhost:${40000 + Math.floor(Math.random() * 20000)}`;
    await getDb()
      .update(partners)
      .set({ allowedOrigins: [liveLocal] })
      .where(eq(partners.id, live.id));
    expect(corsOf(await preflight("/api/public/register", { host: live.host, origin: liveLocal }))).toEqual({});
    expect(corsOf(await preflight("/api/public/register", { host: SHARED_HOST, origin: liveLocal }))).toEqual({});
  });

  it("the back office's endpoints get no CORS headers, whatever the origin", async () => {
    const origin = freshOrigin();
    const partner = await partnerWith({ origins: [origin] });
    for (const p of ["/api/health", "/api/trpc/partner.list"]) {
      const res = await send("GET", p, { host: partner.host, origin });
      expect(corsOf(res), p).toEqual({});
    }
  });

  it("every route file under the public prefixes answers OPTIONS (a route without one would get Next.js's, with no CORS headers)", () => {
    const appDir = path.resolve(import.meta.dirname, "../../app");
    const publicDirs = [
      ".well-known",
      "api/public",
      "api/token",
      "reg",
      "oauth",
      "invoice",
      "wallet",
      "api/[...unknown]",
    ];
    const files = publicDirs.flatMap((d) => routeFiles(path.join(appDir, d)));
    expect(files.length).toBeGreaterThan(20);
    const missing = files.filter(
      (f) => !/export\s*\{\s*OPTIONS\s*\}\s*from\s*"@\/server\/http\/preflight"/.test(readFileSync(f, "utf8")),
    );
    expect(missing.map((f) => path.relative(appDir, f))).toEqual([]);
  });
});

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}
