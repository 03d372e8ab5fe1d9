import { randomBytes } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, clients } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { MASTER_KEY_FAILURES_PER_IP } from "../../server/partners/api-keys";
import { createTestPartner, uniqueEmail, useApi, whiteLabelBody } from "../support/api";

/**
 * Whose address a request is counted against, over real HTTP: the socket's
 * peer (here always 127.0.0.1) unless TRUSTED_PROXY_COUNT says proxies
 * append to X-Forwarded-For, in which case the test plays those proxies.
 */

const api = useApi();

function trustProxies(count: number) {
  process.env.TRUSTED_PROXY_COUNT = String(count);
  resetConfigForTests();
}

afterEach(() => {
  delete process.env.TRUSTED_PROXY_COUNT;
  resetConfigForTests();
});

/** A documentation address (RFC 5737 / 3849) no other test uses. */
const freshIp = () => `2001:db8:${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}::9`;

async function registrationAddresses(email: string) {
  return getDb()
    .select({ ip: auditEvents.ip })
    .from(auditEvents)
    .innerJoin(clients, sql`${clients.id}::text = ${auditEvents.entityId}`)
    .where(and(eq(clients.email, email), eq(auditEvents.action, "client.register")))
    .orderBy(desc(auditEvents.id));
}

describe("client addresses with no trusted proxy", () => {
  it("counts registrations with forged X-Forwarded-For headers against the socket's address: the 2nd and 3rd get 429", async () => {
    const partner = await createTestPartner({ quotaPerIpHour: 1 });
    const statuses: number[] = [];
    for (const forged of ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) {
      statuses.push(
        (
          await api.post("/api/public/register", whiteLabelBody(), {
            partnerId: String(partner.id),
            "X-Forwarded-For": forged,
          })
        ).status,
      );
    }
    expect(statuses).toEqual([201, 429, 429]);
  });

  it("records the socket's address in the audit log, not the forged one", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail("forged");
    expect(
      (
        await api.post("/api/public/register", whiteLabelBody({ email }), {
          partnerId: String(partner.id),
          "X-Forwarded-For": "198.51.100.77",
        })
      ).status,
    ).toBe(201);
    expect((await registrationAddresses(email)).map((r) => r.ip)).toEqual(["127.0.0.1"]);
  });
});

describe("client addresses behind trusted proxies", () => {
  it("with one proxy, counts the address the proxy appended, not one the client wrote before it", async () => {
    trustProxies(1);
    const partner = await createTestPartner({ quotaPerIpHour: 1 });
    const client = freshIp();
    const headers = (written: string) => ({
      partnerId: String(partner.id),
      "X-Forwarded-For": `${written}, ${client}`,
    });
    expect((await api.post("/api/public/register", whiteLabelBody(), headers("198.51.100.1"))).status).toBe(201);
    expect((await api.post("/api/public/register", whiteLabelBody(), headers("198.51.100.2"))).status).toBe(429);
    // Another real client behind the same proxy has its own quota.
    expect(
      (
        await api.post("/api/public/register", whiteLabelBody(), {
          partnerId: String(partner.id),
          "X-Forwarded-For": freshIp(),
        })
      ).status,
    ).toBe(201);
  });

  it("an attacker cannot lock the partner backend's address out of its master key by naming it in X-Forwarded-For", async () => {
    trustProxies(1);
    const partner = await createTestPartner();
    const backend = freshIp();
    const attacker = freshIp();
    const badKey = () => `Bearer ghk_${randomBytes(32).toString("base64url")}`;
    // The attacker writes the backend's address; the proxy appends the attacker's real one.
    for (let i = 0; i < MASTER_KEY_FAILURES_PER_IP; i++) {
      expect(
        (
          await api.post("/api/public/register", whiteLabelBody(), {
            authorization: badKey(),
            "X-Forwarded-For": `${backend}, ${attacker}`,
          })
        ).status,
      ).toBe(401);
    }
    expect(
      (
        await api.post("/api/public/register", whiteLabelBody(), {
          authorization: badKey(),
          "X-Forwarded-For": `${backend}, ${attacker}`,
        })
      ).status,
    ).toBe(429);
    const res = await api.post("/api/public/register", whiteLabelBody(), {
      authorization: `Bearer ${partner.masterKey}`,
      "X-Forwarded-For": backend,
    });
    expect(res.status).toBe(201);
  });

  it("with two proxies, counts the address the outer proxy appended", async () => {
    trustProxies(2);
    const partner = await createTestPartner({ quotaPerIpHour: 1 });
    const email = uniqueEmail("two-proxies");
    const client = freshIp();
    const outerProxy = "10.20.30.40";
    const res = await api.post("/api/public/register", whiteLabelBody({ email }), {
      partnerId: String(partner.id),
      "X-Forwarded-For": `198.51.100.9, ${client}, ${outerProxy}`,
    });
    expect(res.status).toBe(201);
    expect((await registrationAddresses(email)).map((r) => r.ip)).toEqual([client]);
    const again = await api.post("/api/public/register", whiteLabelBody(), {
      partnerId: String(partner.id),
      "X-Forwarded-For": `203.0.113.200, ${client}, ${outerProxy}`,
    });
    expect(again.status).toBe(429);
  });

  it("with two proxies, a request that skipped one is counted against the peer, never a header value", async () => {
    trustProxies(2);
    const partner = await createTestPartner();
    const email = uniqueEmail("skipped");
    expect(
      (
        await api.post("/api/public/register", whiteLabelBody({ email }), {
          partnerId: String(partner.id),
          "X-Forwarded-For": "198.51.100.5",
        })
      ).status,
    ).toBe(201);
    expect((await registrationAddresses(email)).map((r) => r.ip)).toEqual(["127.0.0.1"]);
  });
});
