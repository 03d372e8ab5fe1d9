import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST as register } from "../../app/api/public/register/route";
import { getDb } from "../../db/client";
import { apiKeys, auditEvents, clients } from "../../db/schema";
import {
  authenticateMasterKey,
  MASTER_KEY_FAILURES_PER_IP,
  MASTER_KEY_WINDOW_SECONDS,
} from "../../server/partners/api-keys";
import { withClientAddress } from "../../server/http/client-address";
import { windowFor } from "../../server/quotas/quota";
import { createTestPartner, uniqueEmail, whiteLabelBody, type TestPartner } from "../support/api";
import { anonymousCaller } from "../support/caller";

/**
 * Brute force of master API keys: failed presentations are counted per client
 * address in quota_counters (shared by every instance), refused with 429 once
 * the limit is reached, and forgotten when the window ends. The handler is
 * called directly, inside the client-address context the HTTP server gives
 * each request, so each test can present its own client address.
 */

/** An address no other test or earlier run on the same database has used. */
const freshIp = () => `2001:db8:${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}::1`;
const wrongKey = () => `ghk_${randomBytes(32).toString("base64url")}`;

async function registerFrom(ip: string, authorization: string, email = uniqueEmail("mk")) {
  const request = new Request("http://gatehouse.test/api/public/register", {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify(whiteLabelBody({ email })),
  });
  // As the HTTP server does once it has read the address off the socket.
  const res = await withClientAddress(ip, () => register(request));
  return { status: res.status, headers: res.headers, body: await res.json(), email };
}

async function clientCount(partner: TestPartner, email: string): Promise<number> {
  const rows = await getDb()
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.partnerId, partner.id), sql`lower(${clients.email}) = lower(${email})`));
  return rows.length;
}

async function throttleEvents(ip: string) {
  return getDb()
    .select({ actorType: auditEvents.actorType, after: auditEvents.after })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "api_key.failures_throttled"), eq(auditEvents.ip, ip)));
}

describe("master API key brute force", () => {
  it(`refuses an address with 429 and Retry-After after ${MASTER_KEY_FAILURES_PER_IP} unknown or revoked keys, even when it then sends the right key, and audits it once`, async () => {
    const partner = await createTestPartner();
    const revoked = await createTestPartner();
    await getDb().update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.partnerId, revoked.id));
    const ip = freshIp();

    for (let i = 0; i < MASTER_KEY_FAILURES_PER_IP; i++) {
      const key = i % 10 === 0 ? revoked.masterKey : wrongKey();
      const res = await registerFrom(ip, `Bearer ${key}`);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
      expect(res.body.error.code).toBe("invalid_api_key");
    }

    const email = uniqueEmail("mk-right");
    const blocked = await registerFrom(ip, `Bearer ${partner.masterKey}`, email);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatchObject({
      code: "too_many_attempts",
      message: expect.any(String),
      fields: [{ path: "Authorization", message: expect.any(String) }],
      requestId: blocked.headers.get("x-request-id"),
    });
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(MASTER_KEY_WINDOW_SECONDS);
    expect(await clientCount(partner, email)).toBe(0);

    // Still refused, and the log holds one event for the whole burst, not one per try.
    expect((await registerFrom(ip, `Bearer ${wrongKey()}`)).status).toBe(429);
    expect(await throttleEvents(ip)).toEqual([
      {
        actorType: "anonymous",
        after: { failures: MASTER_KEY_FAILURES_PER_IP, windowSeconds: MASTER_KEY_WINDOW_SECONDS },
      },
    ]);
  });

  it("never refuses the key's holder calling from another address while one address is throttled", async () => {
    const partner = await createTestPartner();
    const attacker = freshIp();
    for (let i = 0; i < MASTER_KEY_FAILURES_PER_IP; i++)
      expect((await registerFrom(attacker, `Bearer ${wrongKey()}`)).status).toBe(401);
    expect((await registerFrom(attacker, `Bearer ${partner.masterKey}`)).status).toBe(429);

    const holder = await registerFrom(freshIp(), `Bearer ${partner.masterKey}`);
    expect(holder.status, JSON.stringify(holder.body)).toBe(201);
    expect(await clientCount(partner, holder.email)).toBe(1);
  });

  it("does not count malformed keys, which are refused without a lookup", async () => {
    const partner = await createTestPartner();
    const ip = freshIp();
    for (let i = 0; i < MASTER_KEY_FAILURES_PER_IP + 5; i++) {
      const res = await registerFrom(ip, i % 2 === 0 ? "Bearer x.y.z" : "Basic Zm9vOmJhcg==");
      expect(res.status).toBe(401);
    }
    expect((await registerFrom(ip, `Bearer ${partner.masterKey}`)).status).toBe(201);
  });

  it("ends by itself when the window ends: the right key then works from the same address", async () => {
    const partner = await createTestPartner();
    const ip = freshIp();
    const db = getDb();
    const from = anonymousCaller({ ip });
    const now = new Date();
    for (let i = 0; i < MASTER_KEY_FAILURES_PER_IP; i++) {
      await expect(authenticateMasterKey(db, from, wrongKey(), now)).rejects.toMatchObject({ code: "invalid_api_key" });
    }
    await expect(authenticateMasterKey(db, from, partner.masterKey, now)).rejects.toMatchObject({
      code: "too_many_attempts",
      status: 429,
    });

    const lastMoment = new Date(windowFor(now, MASTER_KEY_WINDOW_SECONDS).end.getTime() - 1);
    await expect(authenticateMasterKey(db, from, partner.masterKey, lastMoment)).rejects.toMatchObject({
      code: "too_many_attempts",
    });
    const nextWindow = windowFor(now, MASTER_KEY_WINDOW_SECONDS).end;
    await expect(authenticateMasterKey(db, from, partner.masterKey, nextWindow)).resolves.toEqual({
      keyId: expect.any(String),
      partnerId: partner.id,
    });
  });
});
