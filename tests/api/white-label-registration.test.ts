import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { accounts, apiKeys, auditEvents, clients } from "../../db/schema";
import { encodeSolution, solveChallenge, type CaptchaChallenge } from "../../server/captcha/captcha";
import {
  createTestPartner,
  latestEmailTo,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type ApiResponse,
  type TestPartner,
} from "../support/api";

const api = useApi();

const byId = (p: TestPartner) => ({ partnerId: String(p.id) });
const byKey = (p: TestPartner) => ({ authorization: `Bearer ${p.masterKey}` });

function register(headers: Record<string, string>, overrides: Record<string, unknown> = {}) {
  return api.post("/api/public/register", whiteLabelBody(overrides), headers);
}

function fieldPaths(res: ApiResponse): string[] {
  return (res.body?.error?.fields ?? []).map((f: { path: string }) => f.path);
}

/** The error shape every failure shares: status, stable code, the named fields and the request id twice. */
function expectError(res: ApiResponse, status: number, code: string, paths: string[] = []) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe("string");
  expect(res.body.error.requestId).toBeTruthy();
  expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
  expect(fieldPaths(res)).toEqual(expect.arrayContaining(paths));
}

async function clientRow(id: string) {
  const [row] = await getDb().select().from(clients).where(eq(clients.id, id));
  return row;
}

async function clientsWithEmail(partnerId: number, email: string) {
  return getDb()
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.partnerId, partnerId), sql`lower(${clients.email}) = lower(${email})`));
}

function decodeJwt(token: string) {
  const [header, payload, signature] = token.split(".");
  expect(signature).toBeTruthy();
  const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"));
  return { header: decode(header), payload: decode(payload) };
}

async function solvedCaptcha(forPartnerId: number): Promise<string> {
  const res = await api.get<CaptchaChallenge>("/api/public/captcha", { partnerId: String(forPartnerId) });
  expect(res.status).toBe(200);
  return encodeSolution(res.body, solveChallenge(res.body));
}

describe("POST /api/public/register (white-label API)", () => {
  it("registers the seed's example body: 201 {token, refresh_token, clientId}, an RS256 JWT with the documented claims, the client, its CHECKING account and a confirmation email", async () => {
    const partner = await createTestPartner({ defaultCurrency: "USD" });
    const email = uniqueEmail("seed");
    const res = await api.post(
      "/api/public/register",
      {
        firstName: "test",
        lastName: "register",
        email,
        countryCode: "LV",
        password: "Qwerty123",
        referralCode: null,
        agreed: true,
        birthDate: "2005-04-03",
      },
      byId(partner),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(["clientId", "refresh_token", "token"]);
    expect(res.body.clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(res.body.refresh_token).toEqual(expect.any(String));
    expect(res.body.refresh_token.length).toBeGreaterThanOrEqual(32);
    expect(res.headers.get("x-request-id")).toBeTruthy();

    const { header, payload } = decodeJwt(res.body.token);
    expect(header).toMatchObject({ alg: "RS256", kid: expect.any(String) });
    expect(payload).toMatchObject({
      iat: expect.any(Number),
      exp: expect.any(Number),
      roles: expect.any(Array),
      username: email,
      currentCountryCode: "LV",
      tfaRequired: false,
      tfaVerified: false,
      tfaMethods: [],
      sub: res.body.clientId,
    });
    expect(payload.exp).toBeGreaterThan(payload.iat);
    expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(120);

    const row = await clientRow(res.body.clientId);
    expect(row).toMatchObject({
      partnerId: partner.id,
      email,
      firstName: "test",
      lastName: "register",
      countryCode: "LV",
      birthDate: "2005-04-03",
      referralCode: null,
      verificationStatus: "not_verified",
      verificationLevel: 0,
      createdVia: "white_label_api",
      profileState: "active",
      emailConfirmedAt: null,
    });
    expect(row?.termsAgreedAt).toBeInstanceOf(Date);
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);

    const accs = await getDb()
      .select({ type: accounts.type, currency: accounts.currency })
      .from(accounts)
      .where(eq(accounts.clientId, res.body.clientId));
    expect(accs).toEqual([{ type: "CHECKING", currency: "USD" }]);

    const mail = await latestEmailTo(email);
    expect(mail?.template).toBe("email_confirmation");
  });

  it("stores the optional address fields, the referral code and the Device-type header", async () => {
    const partner = await createTestPartner();
    const res = await register(
      { ...byId(partner), "Device-type": "ios" },
      {
        postalCode: "LV-1050",
        state: "Riga",
        address1: "Brivibas iela 1",
        address2: "Apt 2",
        referralCode: "FRIEND-42",
        countryCode: "lv",
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await clientRow(res.body.clientId)).toMatchObject({
      postalCode: "LV-1050",
      state: "Riga",
      address1: "Brivibas iela 1",
      address2: "Apt 2",
      referralCode: "FRIEND-42",
      deviceType: "ios",
      countryCode: "LV",
    });

    const without = await register(byId(partner));
    expect(without.status).toBe(201);
    expect(await clientRow(without.body.clientId)).toMatchObject({
      postalCode: null,
      state: null,
      address1: null,
      address2: null,
      deviceType: null,
    });
  });

  it("refuses an invalid Device-type header and names it", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail();
    const res = await register({ ...byId(partner), "Device-type": "<script>" }, { email });
    expectError(res, 400, "invalid_request", ["Device-type"]);
    expect(await clientsWithEmail(partner.id, email)).toEqual([]);
  });

  describe("partner selection", () => {
    it("takes the partner from the master key, as 'Bearer <key>' or the bare key, or from the partnerId header", async () => {
      const partner = await createTestPartner();
      for (const headers of [byKey(partner), { authorization: partner.masterKey }, byId(partner)]) {
        const res = await register(headers);
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect((await clientRow(res.body.clientId))?.partnerId).toBe(partner.id);
      }
    });

    it("refuses a request naming no partner with 400 partner_required", async () => {
      const res = await register({});
      expectError(res, 400, "partner_required", ["partnerId"]);
    });

    it("refuses an unknown API key with 401 invalid_api_key", async () => {
      const email = uniqueEmail();
      const unknown = await register({ authorization: `Bearer ghk_${"x".repeat(43)}` }, { email });
      expectError(unknown, 401, "invalid_api_key", ["Authorization"]);
      const notAKey = await register({ authorization: "Bearer something-else" }, { email });
      expectError(notAKey, 401, "invalid_api_key", ["Authorization"]);
    });

    it("refuses a revoked key with 401 and records its use in the audit log once a minute, however often it is tried", async () => {
      const partner = await createTestPartner();
      // Used just before the revocation: the first use after it is still recorded.
      expect((await register(byKey(partner), { email: uniqueEmail() })).status).toBe(201);
      const [key] = await getDb()
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(eq(apiKeys.partnerId, partner.id))
        .returning({ id: apiKeys.id });
      const email = uniqueEmail();
      const res = await register(byKey(partner), { email });
      expectError(res, 401, "invalid_api_key", ["Authorization"]);
      expect(await clientsWithEmail(partner.id, email)).toEqual([]);
      for (let i = 0; i < 3; i++)
        expectError(await register(byKey(partner), { email }), 401, "invalid_api_key", ["Authorization"]);
      const events = await getDb()
        .select({
          actorType: auditEvents.actorType,
          actorId: auditEvents.actorId,
          partnerId: auditEvents.partnerId,
          requestId: auditEvents.requestId,
        })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, "api_key.revoked_use"), eq(auditEvents.entityId, key!.id)));
      expect(events).toEqual([
        { actorType: "api_key", actorId: key!.id, partnerId: partner.id, requestId: res.headers.get("x-request-id") },
      ]);
    });

    it("refuses a master key with the partnerId header of another partner with 403", async () => {
      const partner = await createTestPartner();
      const other = await createTestPartner();
      const email = uniqueEmail();
      const res = await register({ ...byKey(partner), partnerId: String(other.id) }, { email });
      expectError(res, 403, "forbidden", ["partnerId"]);
      expect(await clientsWithEmail(partner.id, email)).toEqual([]);
      expect(await clientsWithEmail(other.id, email)).toEqual([]);
      const same = await register({ ...byKey(partner), partnerId: String(partner.id) }, { email });
      expect(same.status).toBe(201);
    });

    it("refuses a suspended partner with 403 partner_suspended, by partnerId header or by key", async () => {
      const partner = await createTestPartner();
      await getDb().execute(sql`update partners set status = 'suspended' where id = ${partner.id}`);
      expectError(await register(byId(partner)), 403, "partner_suspended", ["partnerId"]);
      expectError(await register(byKey(partner)), 403, "partner_suspended", ["Authorization"]);
    });
  });

  describe("master API key fields", () => {
    it("with the master key, stores verificationStatus and verificationLevel, accepts clientIp and queues no confirmation email", async () => {
      const partner = await createTestPartner();
      const email = uniqueEmail();
      const res = await register(byKey(partner), {
        email,
        verificationStatus: "identified",
        verificationLevel: 3,
        clientIp: "203.0.113.7",
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const row = await clientRow(res.body.clientId);
      expect(row).toMatchObject({
        verificationStatus: "identified",
        verificationLevel: 3,
        createdVia: "white_label_api",
      });
      expect(row?.emailConfirmedAt).toBeInstanceOf(Date);
      expect(await latestEmailTo(email)).toBeUndefined();

      // The source document types the level as a String: "4" is the level 4.
      const asString = await register(byKey(partner), { verificationLevel: "4" });
      expect(asString.status).toBe(201);
      expect((await clientRow(asString.body.clientId))?.verificationLevel).toBe(4);
      const ipv6 = await register(byKey(partner), { clientIp: "2001:db8::1", verificationLevel: 5 });
      expect(ipv6.status).toBe(201);
      expect((await clientRow(ipv6.body.clientId))?.verificationLevel).toBe(5);

      // Without verification fields a keyed registration is like any other: unverified, emailed.
      const plainEmail = uniqueEmail();
      const plain = await register(byKey(partner), { email: plainEmail });
      expect(plain.status).toBe(201);
      expect(await clientRow(plain.body.clientId)).toMatchObject({
        verificationStatus: "not_verified",
        verificationLevel: 0,
      });
      expect((await latestEmailTo(plainEmail))?.template).toBe("email_confirmation");
    });

    it("validates the master-key fields", async () => {
      const partner = await createTestPartner();
      expectError(await register(byKey(partner), { verificationLevel: 6 }), 422, "validation_failed", [
        "verificationLevel",
      ]);
      expectError(await register(byKey(partner), { verificationLevel: 2.5 }), 422, "validation_failed", [
        "verificationLevel",
      ]);
      for (const wrong of ["6", "2.5", "three", "", " 3", "-1"]) {
        expectError(await register(byKey(partner), { verificationLevel: wrong }), 422, "validation_failed", [
          "verificationLevel",
        ]);
      }
      expectError(await register(byKey(partner), { verificationStatus: "super_verified" }), 422, "validation_failed", [
        "verificationStatus",
      ]);
      expectError(await register(byKey(partner), { clientIp: "not-an-ip" }), 422, "validation_failed", ["clientIp"]);
    });

    it("without the key, refuses verificationStatus, verificationLevel and clientIp with 403 master_key_required naming them", async () => {
      const partner = await createTestPartner();
      const email = uniqueEmail();
      const both = await register(byId(partner), { email, verificationStatus: "identified", verificationLevel: 3 });
      expectError(both, 403, "master_key_required");
      expect(fieldPaths(both).sort()).toEqual(["verificationLevel", "verificationStatus"]);
      const status = await register(byId(partner), { email, verificationStatus: "not_verified" });
      expectError(status, 403, "master_key_required");
      expect(fieldPaths(status)).toEqual(["verificationStatus"]);
      const level = await register(byId(partner), { email, verificationLevel: 0 });
      expectError(level, 403, "master_key_required");
      expect(fieldPaths(level)).toEqual(["verificationLevel"]);
      const ip = await register(byId(partner), { email, clientIp: "203.0.113.7" });
      expectError(ip, 403, "master_key_required");
      expect(fieldPaths(ip)).toEqual(["clientIp"]);
      expect(await clientsWithEmail(partner.id, email)).toEqual([]);
    });
  });

  describe("validation", () => {
    it("lists every missing required field", async () => {
      const partner = await createTestPartner();
      const res = await api.post("/api/public/register", {}, byId(partner));
      expectError(res, 422, "validation_failed", [
        "firstName",
        "lastName",
        "email",
        "countryCode",
        "password",
        "referralCode",
        "agreed",
        "birthDate",
      ]);
      for (const f of res.body.error.fields) expect(f.message).toEqual(expect.any(String));
    });

    it("names the field for each invalid value", async () => {
      const partner = await createTestPartner();
      const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const cases: Array<[string, Record<string, unknown>]> = [
        ["countryCode", { countryCode: "XX" }],
        ["countryCode", { countryCode: "LVA" }],
        ["birthDate", { birthDate: tomorrow }],
        ["birthDate", { birthDate: "2005-02-30" }],
        ["birthDate", { birthDate: "03.04.2005" }],
        ["agreed", { agreed: false }],
        ["agreed", { agreed: "true" }],
        ["email", { email: "not-an-email" }],
        ["email", { email: `${"a".repeat(250)}@example.test` }],
        ["firstName", { firstName: "Jo\u0007hn" }],
        ["firstName", { firstName: "Jo\nhn" }],
        ["lastName", { lastName: "Doe\u202Egnp.exe" }],
        ["lastName", { lastName: "   " }],
        ["referralCode", { referralCode: 42 }],
      ];
      for (const [path, overrides] of cases) {
        const email = typeof overrides.email === "string" ? overrides.email : uniqueEmail();
        const res = await register(byId(partner), { email, ...overrides });
        expect(res.status, `${JSON.stringify(overrides)} → ${JSON.stringify(res.body)}`).toBe(422);
        expectError(res, 422, "validation_failed", [path]);
        expect(await clientsWithEmail(partner.id, email)).toEqual([]);
      }
    });

    it("requires the referralCode key but accepts null", async () => {
      const partner = await createTestPartner();
      const { referralCode: _omitted, ...withoutKey } = whiteLabelBody();
      const missing = await api.post("/api/public/register", withoutKey, byId(partner));
      expectError(missing, 422, "validation_failed", ["referralCode"]);
      const nullCode = await register(byId(partner), { referralCode: null });
      expect(nullCode.status).toBe(201);
      expect((await clientRow(nullCode.body.clientId))?.referralCode).toBeNull();
    });

    it("applies the password policy at its edges", async () => {
      const partner = await createTestPartner();
      for (const password of ["Qwert12", "qwerty123", "QWERTY123", "Qwertyui", ""]) {
        const res = await register(byId(partner), { password });
        expect(res.status, `${password} → ${JSON.stringify(res.body)}`).toBe(422);
        expectError(res, 422, "validation_failed", ["password"]);
      }
      const exactlyEight = await register(byId(partner), { password: "Qwerty12" });
      expect(exactlyEight.status, JSON.stringify(exactlyEight.body)).toBe(201);
    });

    it("refuses a body that is not JSON with 400 invalid_json, a non-JSON content type with 415, and an oversized body with 413", async () => {
      const partner = await createTestPartner();
      const broken = await api.post("/api/public/register", '{"firstName": "Test",', {
        ...byId(partner),
        "content-type": "application/json",
      });
      expectError(broken, 400, "invalid_json");

      const plain = await api.post("/api/public/register", JSON.stringify(whiteLabelBody()), {
        ...byId(partner),
        "content-type": "text/plain",
      });
      expectError(plain, 415, "unsupported_media_type");

      const email = uniqueEmail();
      const big = await register(byId(partner), { email, address1: "x".repeat(65 * 1024) });
      expectError(big, 413, "payload_too_large");

      // Without a Content-Length (chunked), the limit is enforced while reading.
      const chunk = new TextEncoder().encode(
        JSON.stringify(whiteLabelBody({ email, address2: "y".repeat(40 * 1024) })),
      );
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.close();
        },
      });
      const res = await fetch(`${api.url}/api/public/register`, {
        method: "POST",
        headers: { ...byId(partner), "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect(res.status).toBe(413);
      const body = await res.json();
      expect(body.error.code).toBe("payload_too_large");
      expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
      expect(await clientsWithEmail(partner.id, email)).toEqual([]);
    });

    it("answers JSON arrays, numbers, strings and null with a 4xx error, never a 500", async () => {
      const partner = await createTestPartner();
      for (const raw of ["[]", "[1,2]", "42", '"text"', "null", "true"]) {
        const res = await api.post("/api/public/register", raw, {
          ...byId(partner),
          "content-type": "application/json",
        });
        expect(res.status, `${raw} → ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body.error.code).toEqual(expect.any(String));
        expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
      }
    });
  });

  describe("duplicates", () => {
    it("refuses the same email again, in another case, with 409 email_taken", async () => {
      const partner = await createTestPartner();
      const email = uniqueEmail();
      expect((await register(byId(partner), { email })).status).toBe(201);
      const again = await register(byId(partner), { email: email.toUpperCase() });
      expectError(again, 409, "email_taken", ["email"]);
      expect(await clientsWithEmail(partner.id, email)).toHaveLength(1);
      // Emails are unique per partner, not globally.
      const other = await createTestPartner();
      expect((await register(byId(other), { email })).status).toBe(201);
    });

    it("20 concurrent registrations of one email create exactly one client and one account", async () => {
      const partner = await createTestPartner();
      const email = uniqueEmail();
      const results = await Promise.all(Array.from({ length: 20 }, () => register(byId(partner), { email })));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(19);
      for (const r of results.filter((r) => r.status === 409)) expect(r.body.error.code).toBe("email_taken");
      const rows = await clientsWithEmail(partner.id, email);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).toBe(results.find((r) => r.status === 201)!.body.clientId);
      const accs = await getDb().select({ id: accounts.id }).from(accounts).where(eq(accounts.clientId, rows[0]!.id));
      expect(accs).toHaveLength(1);
    });
  });

  describe("captcha", () => {
    it("requires a solved captcha when the partner has captcha on: missing 400 captcha_required, garbage 400 captcha_invalid, solved 201, replay 400", async () => {
      const partner = await createTestPartner({ captchaRequired: true });
      expectError(await register(byId(partner)), 400, "captcha_required", ["Captcha-token"]);
      expectError(await register({ ...byId(partner), "Captcha-token": "garbage" }), 400, "captcha_invalid", [
        "Captcha-token",
      ]);
      expectError(
        await register({
          ...byId(partner),
          "Captcha-token": Buffer.from('{"algorithm":"SHA-256"}').toString("base64url"),
        }),
        400,
        "captcha_invalid",
        ["Captcha-token"],
      );

      const token = await solvedCaptcha(partner.id);
      const solved = await register({ ...byId(partner), "Captcha-token": token });
      expect(solved.status, JSON.stringify(solved.body)).toBe(201);

      const replayEmail = uniqueEmail();
      const replay = await register({ ...byId(partner), "Captcha-token": token }, { email: replayEmail });
      expectError(replay, 400, "captcha_invalid", ["Captcha-token"]);
      expect(await clientsWithEmail(partner.id, replayEmail)).toEqual([]);
    });

    it("refuses a captcha solved for another partner, and a wrong answer", async () => {
      const partner = await createTestPartner({ captchaRequired: true });
      const other = await createTestPartner({ captchaRequired: true });
      expectError(
        await register({ ...byId(partner), "Captcha-token": await solvedCaptcha(other.id) }),
        400,
        "captcha_invalid",
        ["Captcha-token"],
      );

      const challenge = (await api.get<CaptchaChallenge>("/api/public/captcha", byId(partner))).body;
      const wrong = encodeSolution(challenge, (solveChallenge(challenge) + 1) % (challenge.maxNumber + 1));
      expectError(await register({ ...byId(partner), "Captcha-token": wrong }), 400, "captcha_invalid", [
        "Captcha-token",
      ]);
    });

    it("needs no captcha with the master key", async () => {
      const partner = await createTestPartner({ captchaRequired: true });
      const res = await register(byKey(partner));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });
  });

  describe("quotas", () => {
    it("refuses the 3rd registration from one IP with quotaPerIpHour 2: 429 quota_exceeded with Retry-After; X-Forwarded-For from the client is not believed", async () => {
      const partner = await createTestPartner({ quotaPerIpHour: 2 });
      expect((await register(byId(partner))).status).toBe(201);
      expect((await register(byId(partner))).status).toBe(201);
      const email = uniqueEmail();
      const third = await register(byId(partner), { email });
      expectError(third, 429, "quota_exceeded");
      expect(third.body.error.details).toMatchObject({ quota: "per_ip_hour", limit: 2 });
      const retryAfter = Number(third.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(await clientsWithEmail(partner.id, email)).toEqual([]);

      const spoofed = await register({ ...byId(partner), "X-Forwarded-For": "198.51.100.23" });
      expectError(spoofed, 429, "quota_exceeded");
    });

    it("counts a 409 email_taken against the per-IP quota like a success, so probing which emails exist costs quota", async () => {
      const partner = await createTestPartner({ quotaPerIpHour: 2 });
      const email = uniqueEmail("probe");
      expect((await register(byId(partner), { email })).status).toBe(201);
      expectError(await register(byId(partner), { email: email.toUpperCase() }), 409, "email_taken", ["email"]);
      // The probe used the address's second registration of the hour.
      expectError(await register(byId(partner), { email: uniqueEmail("probe") }), 429, "quota_exceeded");
      expectError(await register(byId(partner), { email }), 429, "quota_exceeded");
    });

    it("with the master key counts the per-IP quota per clientIp", async () => {
      const partner = await createTestPartner({ quotaPerIpHour: 1 });
      expect((await register(byKey(partner), { clientIp: "203.0.113.10" })).status).toBe(201);
      expect((await register(byKey(partner), { clientIp: "203.0.113.11" })).status).toBe(201);
      const again = await register(byKey(partner), { clientIp: "203.0.113.10" });
      expectError(again, 429, "quota_exceeded");
      expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
      // The connection's own address is a separate, still unused, count.
      expect((await register(byId(partner))).status).toBe(201);
      expectError(await register(byId(partner)), 429, "quota_exceeded");
    });

    it("refuses the 4th registration in an hour from any IPs with quotaTotalHour 3", async () => {
      const partner = await createTestPartner({ quotaPerIpHour: 0, quotaTotalHour: 3 });
      for (const clientIp of ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) {
        const res = await register(byKey(partner), { clientIp });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
      const fourth = await register(byKey(partner), { clientIp: "198.51.100.4" });
      expectError(fourth, 429, "quota_exceeded");
      expect(fourth.body.error.details).toMatchObject({ quota: "total_hour", limit: 3 });
      expect(Number(fourth.headers.get("retry-after"))).toBeGreaterThan(0);
      expectError(await register(byId(partner)), 429, "quota_exceeded");
    });
  });
});
