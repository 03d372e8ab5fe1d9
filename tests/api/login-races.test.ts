import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { LOGIN_FAILURES_PER_IP, LOGIN_FAILURES_PER_WINDOW } from "../../server/registration/login";
import { createTestPartner, STRONG_WL_PASSWORD, uniqueEmail, useApi, whiteLabelBody } from "../support/api";

/**
 * Sign-in limits under racing requests: every attempt is counted before its
 * password is checked, so firing many at once gets no more checks than the
 * limit. Each test sends from an address of its own (the test plays a trusted
 * proxy), so the per-address count is its alone.
 */

const api = useApi();
const CONCURRENT = 40;

afterEach(() => {
  delete process.env.TRUSTED_PROXY_COUNT;
  resetConfigForTests();
});

function fromOwnAddress(): Record<string, string> {
  process.env.TRUSTED_PROXY_COUNT = "1";
  resetConfigForTests();
  return { "X-Forwarded-For": `2001:db8:${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}::7` };
}

async function failedChecks(clientId: string): Promise<number> {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityId, clientId), eq(auditEvents.action, "client.sign_in_failed")));
  return row!.n;
}

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

describe("client sign-in limits under concurrent requests", () => {
  it(`${CONCURRENT} wrong passwords at once for one account: exactly ${LOGIN_FAILURES_PER_WINDOW} are checked, the rest get 429 without a check`, async () => {
    const address = fromOwnAddress();
    const partner = await createTestPartner();
    const email = uniqueEmail("race");
    const registered = await api.post("/api/public/register", whiteLabelBody({ email }), {
      partnerId: String(partner.id),
    });
    expect(registered.status).toBe(201);
    const clientId = registered.body.clientId as string;

    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        api.post(
          "/api/public/authenticate",
          { username: email, password: `Wrong-Password-${i}` },
          { partnerId: String(partner.id), ...address },
        ),
      ),
    );
    expect(tally(responses.map((r) => r.status))).toEqual({
      401: LOGIN_FAILURES_PER_WINDOW,
      429: CONCURRENT - LOGIN_FAILURES_PER_WINDOW,
    });
    expect(await failedChecks(clientId)).toBe(LOGIN_FAILURES_PER_WINDOW);
    for (const refused of responses.filter((r) => r.status === 429))
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    // The right password is refused too until the window ends: the account's limit is spent.
    const right = await api.post(
      "/api/public/authenticate",
      { username: email, password: STRONG_WL_PASSWORD },
      { partnerId: String(partner.id), ...address },
    );
    expect(right.status).toBe(429);
  });

  it("a successful sign-in gives its counted attempt back", async () => {
    const address = fromOwnAddress();
    const partner = await createTestPartner();
    const email = uniqueEmail("race-mixed");
    const headers = { partnerId: String(partner.id), ...address };
    expect(
      (await api.post("/api/public/register", whiteLabelBody({ email }), { partnerId: String(partner.id) })).status,
    ).toBe(201);
    const wrong = LOGIN_FAILURES_PER_WINDOW - 1;
    const failures = await Promise.all(
      Array.from({ length: wrong }, (_, i) =>
        api.post("/api/public/authenticate", { username: email, password: `Wrong-Password-${i}` }, headers),
      ),
    );
    expect(tally(failures.map((r) => r.status))).toEqual({ 401: wrong });
    // With one attempt left, the owner signs in again and again: each success gives its attempt back.
    for (let i = 0; i < 5; i++)
      expect(
        (await api.post("/api/public/authenticate", { username: email, password: STRONG_WL_PASSWORD }, headers)).status,
      ).toBe(200);
    expect(
      (await api.post("/api/public/authenticate", { username: email, password: "Wrong-Password-x" }, headers)).status,
    ).toBe(401);
    expect(
      (await api.post("/api/public/authenticate", { username: email, password: STRONG_WL_PASSWORD }, headers)).status,
    ).toBe(429);
  });

  it(`${LOGIN_FAILURES_PER_IP + 20} failed sign-ins at once from one address across accounts: exactly ${LOGIN_FAILURES_PER_IP} are checked`, async () => {
    const address = fromOwnAddress();
    const partner = await createTestPartner();
    const responses = await Promise.all(
      Array.from({ length: LOGIN_FAILURES_PER_IP + 20 }, () =>
        api.post(
          "/api/public/authenticate",
          { username: uniqueEmail("stuffing"), password: "Guess-Password-1" },
          { partnerId: String(partner.id), ...address },
        ),
      ),
    );
    expect(tally(responses.map((r) => r.status))).toEqual({ 401: LOGIN_FAILURES_PER_IP, 429: 20 });
  });
});
