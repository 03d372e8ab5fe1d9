import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { getDb } from "../../db/client";
import { apiKeys, auditEvents, clients, partners } from "../../db/schema";
import { createCaller } from "../../server/api/root";
import { trpcContext } from "../../server/api/trpc";
import { AppError, fieldErrorsFromIssues } from "../../server/errors";
import { uniqueEmail, useApi, whiteLabelBody } from "../support/api";
import { callerFor, createTestStaff } from "../support/staff";

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

const api = useApi();

let admin: TestStaff;
let kam: TestStaff;
let otherKam: TestStaff;
let operations: TestStaff;
beforeAll(async () => {
  [admin, kam, otherKam, operations] = await Promise.all([
    createTestStaff("admin"),
    createTestStaff("kam"),
    createTestStaff("kam"),
    createTestStaff("operations"),
  ]);
});

/** A caller whose request id is known, to find the audit events it writes. */
function tracedCaller(staff: TestStaff) {
  const requestId = randomUUID();
  return { caller: createCaller(trpcContext({ staff, ip: "198.51.100.23", requestId })), requestId };
}

async function failureOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error("expected the procedure to fail");
}

/** The field paths a form would be given: zod's issues or the service's AppError fields. */
function fieldPaths(error: TRPCError): string[] {
  if (error.cause instanceof ZodError) return fieldErrorsFromIssues(error.cause.issues).map((f) => f.path);
  if (error.cause instanceof AppError) return error.cause.fields.map((f) => f.path);
  return [];
}

async function auditFor(entityType: string, entityId: string) {
  return getDb()
    .select({
      action: auditEvents.action,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      partnerId: auditEvents.partnerId,
      before: auditEvents.before,
      after: auditEvents.after,
      ip: auditEvents.ip,
      requestId: auditEvents.requestId,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityType, entityType), eq(auditEvents.entityId, entityId)))
    .orderBy(asc(auditEvents.id));
}

/** A partner of the test's own, added by this KAM through the back office; quotas high so tests never meet them (only admins turn a live partner's quotas off). */
const ROOMY_QUOTAS = { quotaPerIpHour: 1000, quotaTotalHour: 100_000 };
async function addPartnerAs(staff: TestStaff, settings: Record<string, unknown> = {}) {
  return callerFor(staff).partner.create({ name: `Partner ${randomUUID().slice(0, 8)}`, ...ROOMY_QUOTAS, ...settings });
}

function register(headers: Record<string, string>, overrides: Record<string, unknown> = {}) {
  return api.post("/api/public/register", whiteLabelBody(overrides), headers);
}

describe("partners in the back office", () => {
  it("a KAM adds a partner, owns it, and the addition is audited with who, where and which request", async () => {
    const { caller, requestId } = tracedCaller(kam);
    const partner = await caller.partner.create({
      name: "  Acme Wallet  ",
      sandbox: true,
      quotaPerIpHour: 0,
      quotaTotalHour: 0,
    });
    expect(partner).toMatchObject({
      name: "Acme Wallet",
      ownerStaffId: kam.id,
      status: "active",
      sandbox: true,
      defaultCurrency: "EUR",
      allowedUserTypes: ["CUSTOMER"],
    });
    expect(Number.isInteger(partner.id) && partner.id > 0).toBe(true);

    const list = await callerFor(kam).partner.list();
    expect(list.find((p) => p.id === partner.id)).toMatchObject({
      name: "Acme Wallet",
      owner: { id: kam.id, name: kam.name, email: kam.email },
      clientCount: 0,
      clientCountCapped: false,
    });
    expect(await callerFor(kam).partner.get({ partnerId: partner.id })).toMatchObject({
      id: partner.id,
      owner: { id: kam.id },
    });

    expect(await auditFor("partner", String(partner.id))).toEqual([
      {
        action: "partner.create",
        actorType: "staff",
        actorId: kam.id,
        partnerId: partner.id,
        before: null,
        after: expect.objectContaining({ id: partner.id, name: "Acme Wallet", ownerStaffId: kam.id }),
        ip: "198.51.100.23",
        requestId,
      },
    ]);
  });

  it("issues partnerIds that are never reused, even when the insert is rolled back", async () => {
    const first = await addPartnerAs(kam);
    await expect(
      getDb().transaction(async (tx) => {
        await tx.insert(partners).values({ name: "Rolled back" });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const second = await addPartnerAs(kam);
    expect(second.id).toBeGreaterThan(first.id + 1);
  });

  it("a KAM cannot choose another owner; an admin may name an active KAM, and nobody else", async () => {
    const refused = await failureOf(addPartnerAs(kam, { ownerStaffId: otherKam.id }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(fieldPaths(refused)).toEqual(["ownerStaffId"]);

    const owned = await addPartnerAs(admin, { ownerStaffId: otherKam.id });
    expect(owned.ownerStaffId).toBe(otherKam.id);
    expect((await callerFor(otherKam).partner.list()).map((p) => p.id)).toContain(owned.id);

    const unowned = await addPartnerAs(admin);
    expect(unowned.ownerStaffId).toBeNull();

    const notKam = await failureOf(addPartnerAs(admin, { ownerStaffId: operations.id }));
    expect(notKam.code).toBe("UNPROCESSABLE_CONTENT");
    expect(fieldPaths(notKam)).toEqual(["ownerStaffId"]);
  });

  it("a KAM neither sees nor changes another KAM's partner or its keys; operations have no Partners page", async () => {
    const theirs = await addPartnerAs(otherKam);
    const key = await callerFor(otherKam).apiKey.create({ partnerId: theirs.id, name: "theirs" });
    const mine = callerFor(kam);

    expect((await mine.partner.list()).map((p) => p.id)).not.toContain(theirs.id);
    const attempts = [
      () => mine.partner.get({ partnerId: theirs.id }),
      () => mine.partner.update({ partnerId: theirs.id, name: "Hijacked" }),
      () => mine.partner.suspend({ partnerId: theirs.id, reason: "Not mine to suspend" }),
      () => mine.partner.reactivate({ partnerId: theirs.id, reason: "Not mine to reactivate" }),
      () => mine.apiKey.list({ partnerId: theirs.id }),
      () => mine.apiKey.create({ partnerId: theirs.id, name: "sneaky" }),
      () => mine.apiKey.revoke({ keyId: key.id }),
    ];
    for (const attempt of attempts) expect((await failureOf(attempt())).code).toBe("NOT_FOUND");
    // An id that does not exist at all answers the same: ids outside the scope reveal nothing.
    expect((await failureOf(mine.partner.get({ partnerId: 2_147_483_000 }))).code).toBe("NOT_FOUND");
    expect((await failureOf(mine.partner.reassign({ partnerId: theirs.id, ownerStaffId: kam.id }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await failureOf(callerFor(operations).partner.list())).code).toBe("FORBIDDEN");

    const stored = await callerFor(otherKam).partner.get({ partnerId: theirs.id });
    expect(stored).toMatchObject({ name: theirs.name, status: "active" });
    expect((await callerFor(otherKam).apiKey.list({ partnerId: theirs.id })).map((k) => [k.name, k.revokedAt])).toEqual(
      [["theirs", null]],
    );
    expect((await auditFor("partner", String(theirs.id))).map((e) => e.action)).toEqual(["partner.create"]);
    // An admin manages every partner.
    expect(await callerFor(admin).partner.get({ partnerId: theirs.id })).toMatchObject({ id: theirs.id });
  });

  it("refuses invalid settings naming each offending field, and changes nothing", async () => {
    const partner = await addPartnerAs(kam);
    const error = await failureOf(
      callerFor(kam).partner.update({
        partnerId: partner.id,
        name: "x",
        quotaPerIpHour: -1,
        quotaTotalHour: 1.5,
        allowedUserTypes: ["customer"],
        defaultCurrency: "euro",
        kycApprovedLevel: 6,
      }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(fieldPaths(error).sort()).toEqual([
      "allowedUserTypes.0",
      "defaultCurrency",
      "kycApprovedLevel",
      "name",
      "quotaPerIpHour",
      "quotaTotalHour",
    ]);
    const messages = error.cause instanceof ZodError ? fieldErrorsFromIssues(error.cause.issues) : [];
    expect(messages.find((m) => m.path === "defaultCurrency")?.message).toBe(
      "Currency is an ISO 4217 code such as EUR",
    );
    expect(messages.find((m) => m.path === "quotaPerIpHour")?.message).toBe(
      "The per-IP hourly quota must be 0 (off) or more",
    );

    const duplicate = await failureOf(
      callerFor(kam).partner.update({ partnerId: partner.id, allowedUserTypes: ["CUSTOMER", "CUSTOMER"] }),
    );
    expect(fieldPaths(duplicate)).toEqual(["allowedUserTypes"]);
    const created = await failureOf(callerFor(kam).partner.create({ name: "" }));
    expect(fieldPaths(created)).toEqual(["name"]);

    expect(await callerFor(kam).partner.get({ partnerId: partner.id })).toMatchObject({
      name: partner.name,
      quotaPerIpHour: ROOMY_QUOTAS.quotaPerIpHour,
      defaultCurrency: "EUR",
      kycApprovedLevel: 2,
    });
    expect((await auditFor("partner", String(partner.id))).map((e) => e.action)).toEqual(["partner.create"]);
  });

  it("changes only the settings sent, audits exactly those before and after, and records nothing when nothing changes", async () => {
    const partner = await addPartnerAs(kam);
    const { caller, requestId } = tracedCaller(kam);
    const result = await caller.partner.update({
      partnerId: partner.id,
      name: partner.name,
      captchaRequired: true,
      quotaPerIpHour: 3,
      allowedUserTypes: ["CUSTOMER", "BUSINESS"],
      defaultCurrency: "USD",
      kycApprovedLevel: 3,
    });
    expect(result.changed.sort()).toEqual([
      "allowedUserTypes",
      "captchaRequired",
      "defaultCurrency",
      "kycApprovedLevel",
      "quotaPerIpHour",
    ]);
    expect(result.partner).toMatchObject({
      name: partner.name,
      sandbox: false,
      captchaRequired: true,
      quotaPerIpHour: 3,
      quotaTotalHour: ROOMY_QUOTAS.quotaTotalHour,
      allowedUserTypes: ["CUSTOMER", "BUSINESS"],
      defaultCurrency: "USD",
      kycApprovedLevel: 3,
    });

    const unchanged = await callerFor(kam).partner.update({ partnerId: partner.id, quotaPerIpHour: 3 });
    expect(unchanged.changed).toEqual([]);

    const events = await auditFor("partner", String(partner.id));
    expect(events.map((e) => e.action)).toEqual(["partner.create", "partner.settings_changed"]);
    expect(events[1]).toEqual({
      action: "partner.settings_changed",
      actorType: "staff",
      actorId: kam.id,
      partnerId: partner.id,
      before: {
        captchaRequired: false,
        quotaPerIpHour: ROOMY_QUOTAS.quotaPerIpHour,
        allowedUserTypes: ["CUSTOMER"],
        defaultCurrency: "EUR",
        kycApprovedLevel: 2,
      },
      after: {
        captchaRequired: true,
        quotaPerIpHour: 3,
        allowedUserTypes: ["CUSTOMER", "BUSINESS"],
        defaultCurrency: "USD",
        kycApprovedLevel: 3,
      },
      ip: "198.51.100.23",
      requestId,
    });
  });

  it("sandbox mode is an admin's decision: a KAM sees it but cannot change it; the admin's change is audited", async () => {
    const partner = await addPartnerAs(kam);
    const refused = await failureOf(callerFor(kam).partner.update({ partnerId: partner.id, sandbox: true }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(fieldPaths(refused)).toEqual(["sandbox"]);
    expect(await callerFor(kam).partner.get({ partnerId: partner.id })).toMatchObject({ sandbox: false });
    // Sent along with other settings, none of them is saved.
    expect(
      fieldPaths(
        await failureOf(callerFor(kam).partner.update({ partnerId: partner.id, sandbox: true, kycApprovedLevel: 4 })),
      ),
    ).toEqual(["sandbox"]);
    expect(await callerFor(kam).partner.get({ partnerId: partner.id })).toMatchObject({
      sandbox: false,
      kycApprovedLevel: 2,
    });

    const { caller, requestId } = tracedCaller(admin);
    expect((await caller.partner.update({ partnerId: partner.id, sandbox: true })).changed).toEqual(["sandbox"]);
    expect(
      fieldPaths(await failureOf(callerFor(kam).partner.update({ partnerId: partner.id, sandbox: false }))),
    ).toEqual(["sandbox"]);
    const events = await auditFor("partner", String(partner.id));
    expect(events.at(-1)).toMatchObject({
      action: "partner.settings_changed",
      actorId: admin.id,
      before: { sandbox: false },
      after: { sandbox: true },
      requestId,
    });
    expect((await callerFor(admin).partner.update({ partnerId: partner.id, sandbox: false })).changed).toEqual([
      "sandbox",
    ]);
  });

  it("a live partner with clients never becomes a sandbox, even for an admin", async () => {
    const partner = await addPartnerAs(kam);
    expect((await register({ partnerId: String(partner.id) })).status).toBe(201);
    const refused = await failureOf(callerFor(admin).partner.update({ partnerId: partner.id, sandbox: true }));
    expect(refused.code).toBe("CONFLICT");
    expect(fieldPaths(refused)).toEqual(["sandbox"]);
    expect(refused.message).toMatch(/live clients cannot become a sandbox/);
    expect(await callerFor(admin).partner.get({ partnerId: partner.id })).toMatchObject({ sandbox: false });
    expect((await auditFor("partner", String(partner.id))).map((e) => e.action)).toEqual(["partner.create"]);
  });

  it("turning a live partner's quotas off (0) is for admins only; a KAM may do it in a sandbox", async () => {
    const live = await addPartnerAs(kam);
    for (const key of ["quotaPerIpHour", "quotaTotalHour"] as const) {
      const refused = await failureOf(callerFor(kam).partner.update({ partnerId: live.id, [key]: 0 }));
      expect(refused.code).toBe("FORBIDDEN");
      expect(fieldPaths(refused)).toEqual([key]);
    }
    expect(await callerFor(kam).partner.get({ partnerId: live.id })).toMatchObject(ROOMY_QUOTAS);
    expect(
      fieldPaths(
        await failureOf(
          callerFor(kam).partner.create({ name: `Unlimited ${randomUUID().slice(0, 6)}`, quotaPerIpHour: 0 }),
        ),
      ),
    ).toEqual(["quotaPerIpHour"]);
    expect((await callerFor(kam).partner.update({ partnerId: live.id, quotaPerIpHour: 5 })).changed).toEqual([
      "quotaPerIpHour",
    ]);
    expect(
      (
        await callerFor(admin).partner.update({ partnerId: live.id, quotaPerIpHour: 0, quotaTotalHour: 0 })
      ).changed.sort(),
    ).toEqual(["quotaPerIpHour", "quotaTotalHour"]);

    const sandbox = await addPartnerAs(kam, { sandbox: true, quotaPerIpHour: 0, quotaTotalHour: 0 });
    expect(sandbox).toMatchObject({ sandbox: true, quotaPerIpHour: 0, quotaTotalHour: 0 });
    expect((await callerFor(kam).partner.update({ partnerId: sandbox.id, quotaPerIpHour: 3 })).changed).toEqual([
      "quotaPerIpHour",
    ]);
    expect((await callerFor(kam).partner.update({ partnerId: sandbox.id, quotaPerIpHour: 0 })).changed).toEqual([
      "quotaPerIpHour",
    ]);
  });

  it("suspending refuses POST /api/public/register with partner_suspended at once; reactivating lets it through again; both audited with the reason", async () => {
    const partner = await addPartnerAs(kam);
    const key = await callerFor(kam).apiKey.create({ partnerId: partner.id, name: "backend" });
    const byId = { partnerId: String(partner.id) };
    const byKey = { authorization: `Bearer ${key.key}` };
    expect((await register(byId)).status).toBe(201);

    await callerFor(kam).partner.suspend({ partnerId: partner.id, reason: "Contract paused" });
    for (const headers of [byId, byKey]) {
      const email = uniqueEmail("suspended");
      const res = await register(headers, { email });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.code).toBe("partner_suspended");
      expect(
        await getDb()
          .select({ id: clients.id })
          .from(clients)
          .where(and(eq(clients.partnerId, partner.id), eq(clients.email, email))),
      ).toEqual([]);
    }
    const again = await failureOf(callerFor(kam).partner.suspend({ partnerId: partner.id, reason: "Twice" }));
    expect(again.code).toBe("CONFLICT");
    expect(
      fieldPaths(await failureOf(callerFor(kam).partner.reactivate({ partnerId: partner.id, reason: "" }))),
    ).toEqual(["reason"]);

    await callerFor(kam).partner.reactivate({ partnerId: partner.id, reason: "Contract renewed" });
    expect((await register(byKey)).status).toBe(201);

    const events = (await auditFor("partner", String(partner.id))).filter((e) => e.action !== "partner.create");
    expect(events).toEqual([
      expect.objectContaining({
        action: "partner.suspended",
        actorId: kam.id,
        before: { status: "active" },
        after: { status: "suspended", reason: "Contract paused" },
      }),
      expect.objectContaining({
        action: "partner.reactivated",
        actorId: kam.id,
        before: { status: "suspended" },
        after: { status: "active", reason: "Contract renewed" },
      }),
    ]);
  });

  it("an admin reassigns a partner to another active KAM: the new owner sees it at once, the old one no longer does", async () => {
    const partner = await addPartnerAs(kam);
    const notKam = await failureOf(
      callerFor(admin).partner.reassign({ partnerId: partner.id, ownerStaffId: operations.id }),
    );
    expect(fieldPaths(notKam)).toEqual(["ownerStaffId"]);
    const same = await failureOf(callerFor(admin).partner.reassign({ partnerId: partner.id, ownerStaffId: kam.id }));
    expect(same.code).toBe("CONFLICT");

    const { caller, requestId } = tracedCaller(admin);
    const result = await caller.partner.reassign({ partnerId: partner.id, ownerStaffId: otherKam.id });
    expect(result.owner).toMatchObject({ id: otherKam.id, email: otherKam.email });
    expect((await failureOf(callerFor(kam).partner.get({ partnerId: partner.id }))).code).toBe("NOT_FOUND");
    expect(await callerFor(otherKam).partner.get({ partnerId: partner.id })).toMatchObject({
      owner: { id: otherKam.id },
    });

    const events = await auditFor("partner", String(partner.id));
    expect(events.at(-1)).toEqual({
      action: "partner.owner_changed",
      actorType: "staff",
      actorId: admin.id,
      partnerId: partner.id,
      before: { ownerStaffId: kam.id, ownerEmail: kam.email },
      after: { ownerStaffId: otherKam.id, ownerEmail: otherKam.email },
      ip: "198.51.100.23",
      requestId,
    });
  });
});

describe("master API keys in the back office", () => {
  it("a created key is shown once, stored only as a hash, and registers a client with a verification level at once", async () => {
    const partner = await addPartnerAs(kam);
    const { caller, requestId } = tracedCaller(kam);
    const created = await caller.apiKey.create({ partnerId: partner.id, name: "  Production backend " });
    expect(created).toMatchObject({
      partnerId: partner.id,
      name: "Production backend",
      prefix: created.key.slice(0, 12),
    });
    expect(created.key).toMatch(/^ghk_[A-Za-z0-9_-]{40,}$/);

    const [stored] = await getDb().select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(JSON.stringify(stored)).not.toContain(created.key);
    expect(stored!.createdByStaffId).toBe(kam.id);

    const [listed] = await callerFor(kam).apiKey.list({ partnerId: partner.id });
    expect(listed).toEqual({
      id: created.id,
      name: "Production backend",
      prefix: created.prefix,
      createdAt: expect.any(Date),
      lastUsedAt: null,
      revokedAt: null,
      createdBy: { id: kam.id, name: kam.name },
    });
    expect(Object.keys(listed!)).not.toContain("keyHash");

    const res = await register(
      { authorization: `Bearer ${created.key}` },
      { verificationStatus: "identified", verificationLevel: 4 },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [client] = await getDb()
      .select({
        partnerId: clients.partnerId,
        verificationStatus: clients.verificationStatus,
        verificationLevel: clients.verificationLevel,
      })
      .from(clients)
      .where(eq(clients.id, res.body.clientId));
    expect(client).toEqual({ partnerId: partner.id, verificationStatus: "identified", verificationLevel: 4 });

    const [used] = await callerFor(kam).apiKey.list({ partnerId: partner.id });
    expect(used!.lastUsedAt).toBeInstanceOf(Date);

    expect(await auditFor("api_key", created.id)).toEqual([
      {
        action: "api_key.create",
        actorType: "staff",
        actorId: kam.id,
        partnerId: partner.id,
        before: null,
        after: { name: "Production backend", prefix: created.prefix },
        ip: "198.51.100.23",
        requestId,
      },
    ]);
    expect(fieldPaths(await failureOf(callerFor(kam).apiKey.create({ partnerId: partner.id, name: "   " })))).toEqual([
      "name",
    ]);
  });

  it("a revoked key is refused on the very next call, and that use is audited as a security event", async () => {
    const partner = await addPartnerAs(kam);
    const key = await callerFor(kam).apiKey.create({ partnerId: partner.id, name: "to revoke" });
    const byKey = { authorization: `Bearer ${key.key}` };
    expect((await register(byKey, { verificationLevel: 1 })).status).toBe(201);

    const { caller, requestId } = tracedCaller(kam);
    const revoked = await caller.apiKey.revoke({ keyId: key.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);

    const email = uniqueEmail("revoked");
    const res = await register(byKey, { email, verificationLevel: 1 });
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.body.error).toMatchObject({ code: "invalid_api_key", fields: [{ path: "Authorization" }] });
    expect(
      await getDb()
        .select({ id: clients.id })
        .from(clients)
        .where(and(eq(clients.partnerId, partner.id), eq(clients.email, email))),
    ).toEqual([]);

    const again = await failureOf(callerFor(kam).apiKey.revoke({ keyId: key.id }));
    expect(again.code).toBe("CONFLICT");

    const events = await auditFor("api_key", key.id);
    expect(events.map((e) => e.action)).toEqual(["api_key.create", "api_key.revoke", "api_key.revoked_use"]);
    expect(events[1]).toEqual({
      action: "api_key.revoke",
      actorType: "staff",
      actorId: kam.id,
      partnerId: partner.id,
      before: { name: "to revoke", prefix: key.prefix, revokedAt: null },
      after: { name: "to revoke", prefix: key.prefix, revokedAt: expect.any(String) },
      ip: "198.51.100.23",
      requestId,
    });
    expect(events[2]).toMatchObject({
      actorType: "api_key",
      actorId: key.id,
      partnerId: partner.id,
      requestId: res.headers.get("x-request-id"),
    });

    const [listed] = await callerFor(kam).apiKey.list({ partnerId: partner.id });
    expect(listed!.revokedAt).toEqual(revoked.revokedAt);
  });

  it("concurrent revokes of one key and creates of new ones do not break: one revoke wins, the other is told, every create succeeds", async () => {
    const partner = await addPartnerAs(kam);
    const key = await callerFor(kam).apiKey.create({ partnerId: partner.id, name: "contended" });
    const results = await Promise.allSettled([
      callerFor(kam).apiKey.revoke({ keyId: key.id }),
      callerFor(admin).apiKey.revoke({ keyId: key.id }),
      callerFor(kam).apiKey.create({ partnerId: partner.id, name: "new A" }),
      callerFor(admin).apiKey.create({ partnerId: partner.id, name: "new B" }),
    ]);
    const [revokeA, revokeB, createA, createB] = results;
    const revokes = [revokeA, revokeB];
    expect(revokes.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = revokes.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(TRPCError);
    expect((loser.reason as TRPCError).code).toBe("CONFLICT");
    expect(createA.status).toBe("fulfilled");
    expect(createB.status).toBe("fulfilled");

    const listed = await callerFor(kam).apiKey.list({ partnerId: partner.id });
    expect(listed.map((k) => [k.name, k.revokedAt !== null]).sort()).toEqual([
      ["contended", true],
      ["new A", false],
      ["new B", false],
    ]);
    expect((await auditFor("api_key", key.id)).map((e) => e.action)).toEqual(["api_key.create", "api_key.revoke"]);
    for (const created of [createA, createB]) {
      const value = (created as PromiseFulfilledResult<{ key: string }>).value;
      expect((await register({ authorization: `Bearer ${value.key}` })).status).toBe(201);
    }
  });
});
