import { randomBytes, randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, asc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET as exportAudit } from "../../app/api/audit/export/route";
import { getDb } from "../../db/client";
import { apiKeys, auditEvents } from "../../db/schema";
import { streamAuditCsv } from "../../server/audit/export";
import { recordAudit, type AuditEvent } from "../../server/audit/record";
import type { AuditFiltersInput } from "../../server/audit/schemas";
import { getStaffSession } from "../../server/auth/session";
import type { Actor } from "../../server/caller";
import { withClientAddress } from "../../server/http/client-address";
import { confirmTotpEnrollment, startTotpEnrollment } from "../../server/staff/account";
import { recordRejectedSignIn, signInStaff } from "../../server/staff/sign-in";
import { currentTotp } from "../../server/staff/totp";
import { createTestPartner } from "../support/api";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

// The export route reads the next-auth session; here the test says who is signed in.
vi.mock("../../server/auth/session", () => ({ getStaffSession: vi.fn() }));

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

/** A value no other test (or earlier run on the same database) uses. */
const uniqueTag = () => `t${randomBytes(5).toString("hex")}`;
/** An address from the IPv6 documentation range, unique to the test, so its events can be found by IP. */
const uniqueIp = () => `2001:db8::${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}`;

async function listIds(admin: TestStaff, filters: AuditFiltersInput & { limit?: number }) {
  const page = await callerFor(admin).audit.list(filters);
  return page.items.map((e) => e.id);
}

/** Every page, following nextCursor to the end. */
async function walk(admin: TestStaff, filters: AuditFiltersInput, limit: number) {
  const pages: number[][] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: number }>; nextCursor: string | null } = await callerFor(admin).audit.list({
      ...filters,
      limit,
      cursor,
    });
    pages.push(page.items.map((e) => e.id));
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}

/** Records an event and returns its id (recordAudit itself returns nothing: the log is write-only). */
async function record(e: AuditEvent & { actor: Actor }, at?: string): Promise<number> {
  const requestId = `audit-test-${uniqueTag()}`;
  if (at) {
    const [row] = await getDb()
      .insert(auditEvents)
      .values({
        actorType: e.actor.type,
        actorId: "id" in e.actor ? (e.actor.id ?? null) : null,
        action: e.action,
        entityType: e.entityType ?? null,
        entityId: e.entityId ?? null,
        partnerId: e.partnerId ?? null,
        after: e.after ?? null,
        requestId,
        at: new Date(at),
      })
      .returning({ id: auditEvents.id });
    return row!.id;
  }
  const { actor, ...event } = e;
  await recordAudit(getDb(), { actor, ip: null, requestId, userAgent: null }, event);
  const [row] = await getDb()
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(eq(auditEvents.requestId, requestId));
  return row!.id;
}

async function eventsWithIp(ip: string) {
  return getDb()
    .select({
      action: auditEvents.action,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      entityType: auditEvents.entityType,
      entityId: auditEvents.entityId,
      after: auditEvents.after,
      ip: auditEvents.ip,
    })
    .from(auditEvents)
    .where(eq(auditEvents.ip, ip))
    .orderBy(asc(auditEvents.id));
}

/** The PostgreSQL error message behind drizzle's "Failed query" wrapper. */
async function databaseError(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause;
    return cause?.message ?? (e as Error).message;
  }
  throw new Error("the statement was expected to fail");
}

async function trpcCode(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "OK";
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

async function collect(chunks: AsyncGenerator<string, void, undefined>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

/** RFC 4180 CSV to rows of fields, strict enough to check what a spreadsheet reads. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}

let admin: TestStaff;
beforeAll(async () => {
  admin = await createTestStaff("admin");
});

describe("the audit log list", () => {
  it("filters by actor, action, partner, entity and date range, and names staff, keys and partners", async () => {
    const actor = await createTestStaff("admin");
    const other = await createTestStaff("operations");
    const partner = await createTestPartner();
    const [key] = await getDb()
      .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix })
      .from(apiKeys)
      .where(eq(apiKeys.partnerId, partner.id));
    const clientId = randomUUID();
    const alpha = `test.alpha_${uniqueTag()}`;
    const staffActor = { type: "staff" as const, id: actor.id, role: actor.role };

    const old = await record({ actor: staffActor, action: alpha }, "2001-02-03T10:00:00Z");
    const first = await record({
      actor: staffActor,
      action: alpha,
      entityType: "client",
      entityId: clientId,
      partnerId: partner.id,
      before: { state: "active" },
      after: { state: "blocked" },
    });
    const second = await record({ actor: staffActor, action: "test.beta", entityType: "staff", entityId: other.id });
    const third = await record({
      actor: { type: "staff", id: other.id, role: other.role },
      action: alpha,
      entityType: "client",
      entityId: clientId,
      partnerId: partner.id,
    });
    const byKey = await record({
      actor: { type: "api_key", id: key!.id, partnerId: partner.id },
      action: alpha,
      partnerId: partner.id,
    });

    expect(await listIds(admin, { actorType: "staff", actorId: actor.id })).toEqual([second, first, old]);
    expect(await listIds(admin, { actorType: "staff", actorId: actor.id, action: alpha })).toEqual([first, old]);
    expect(await listIds(admin, { action: alpha })).toEqual([byKey, third, first, old]);
    expect(await listIds(admin, { action: alpha, partnerId: partner.id })).toEqual([byKey, third, first]);
    expect(await listIds(admin, { action: alpha, actorType: "api_key" })).toEqual([byKey]);
    expect(await listIds(admin, { entityType: "client", entityId: clientId })).toEqual([third, first]);
    // Dates are whole UTC days, both ends inclusive; the URL sends them as text.
    expect(await listIds(admin, { action: alpha, from: "2001-02-03", to: "2001-02-03" })).toEqual([old]);
    expect(await listIds(admin, { action: alpha, to: "2001-02-02" })).toEqual([]);
    expect(await listIds(admin, { action: alpha, from: "2001-02-04" })).toEqual([byKey, third, first]);
    expect(
      await listIds(admin, {
        action: alpha,
        partnerId: String(partner.id),
        from: new Date().toISOString().slice(0, 10),
      }),
    ).toEqual([byKey, third, first]);

    const page = await callerFor(admin).audit.list({ action: alpha });
    const byId = new Map(page.items.map((e) => [e.id, e]));
    expect(byId.get(first)).toEqual({
      id: first,
      at: expect.any(Date),
      actorType: "staff",
      actorId: actor.id,
      actorName: "Test admin",
      actorDetail: actor.email,
      action: alpha,
      entityType: "client",
      entityId: clientId,
      entityLabel: null,
      partnerId: partner.id,
      partnerName: partner.name,
      before: { state: "active" },
      after: { state: "blocked" },
      ip: null,
      requestId: expect.stringMatching(/^audit-test-/),
    });
    expect(byId.get(byKey)).toMatchObject({
      actorType: "api_key",
      actorId: key!.id,
      actorName: key!.name,
      actorDetail: key!.prefix,
    });
    const [beta] = (await callerFor(admin).audit.list({ entityType: "staff", entityId: other.id, action: "test.beta" }))
      .items;
    expect(beta).toMatchObject({ id: second, entityLabel: other.email, actorName: "Test admin" });

    const facets = await callerFor(admin).audit.facets();
    expect(facets.actions).toEqual(expect.arrayContaining([alpha, "test.beta", "partner.create"]));
    expect(new Set(facets.actions).size).toBe(facets.actions.length);
    expect(facets.entityTypes).toEqual(expect.arrayContaining(["client", "staff", "partner"]));
  });

  it("refuses filters that cannot be answered with the indexes, or say nothing", async () => {
    expect(await trpcCode(() => callerFor(admin).audit.list({ actorId: admin.id }))).toBe("BAD_REQUEST");
    expect(await trpcCode(() => callerFor(admin).audit.list({ entityId: "x" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(() => callerFor(admin).audit.list({ from: "2024-02-02", to: "2024-02-01" }))).toBe(
      "BAD_REQUEST",
    );
    expect(await trpcCode(() => callerFor(admin).audit.list({ from: "yesterday" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(() => callerFor(admin).audit.list({ cursor: "bm90IGEgY3Vyc29y" }))).toBe("BAD_REQUEST");
  });

  it("pages newest first with a keyset cursor, keeping the events of one transaction in order", async () => {
    const actor = await createTestStaff("operations");
    const staffActor = { type: "staff" as const, id: actor.id, role: actor.role };
    const before = await record({ actor: staffActor, action: "test.page" });
    // One transaction: the three events share their time and are told apart by id.
    const caller = await staffCaller(actor);
    await getDb().transaction(async (tx) => {
      for (const n of [1, 2, 3]) await recordAudit(tx, caller, { action: "test.page", after: { n } });
    });
    const after = await record({ actor: staffActor, action: "test.page" });
    const all = await listIds(admin, { actorType: "staff", actorId: actor.id });
    expect(all).toHaveLength(5);
    expect(all[0]).toBe(after);
    expect(all[4]).toBe(before);
    expect(all.slice(1, 4)).toEqual([...all.slice(1, 4)].sort((a, b) => b - a));

    const pages = await walk(admin, { actorType: "staff", actorId: actor.id }, 2);
    expect(pages).toEqual([all.slice(0, 2), all.slice(2, 4), all.slice(4)]);
    const singles = await walk(admin, { actorType: "staff", actorId: actor.id }, 1);
    expect(singles.flat()).toEqual(all);
  });
});

describe("the audit log CSV export", () => {
  it("streams every matching event page by page, newest first, with JSON details and formula-safe cells", async () => {
    const actor = await createTestStaff("admin");
    const staffActor = { type: "staff" as const, id: actor.id, role: actor.role };
    const partner = await createTestPartner();
    const ids: number[] = [];
    for (let n = 0; n < 5; n++)
      ids.push(
        await record({
          actor: staffActor,
          action: "test.export",
          partnerId: partner.id,
          entityType: "client",
          entityId: `=cmd|${n}`,
          after: { note: `say "hi", ${n}` },
        }),
      );

    const chunks = await collect(
      streamAuditCsv(await staffCaller(actor), { actorType: "staff", actorId: actor.id }, 2),
    );
    // The header, then one chunk per page of two: nothing read ahead, nothing capped.
    expect(chunks).toHaveLength(1 + 3);
    const [header, ...rows] = parseCsv(chunks.join(""));
    expect(header).toEqual([
      "id",
      "at",
      "actor_type",
      "actor_id",
      "actor_name",
      "actor_detail",
      "action",
      "entity_type",
      "entity_id",
      "entity_label",
      "partner_id",
      "partner_name",
      "ip",
      "request_id",
      "before",
      "after",
    ]);
    expect(rows.map((r) => Number(r[0]))).toEqual([...ids].reverse());
    const newest = rows[0]!;
    expect(newest).toEqual([
      String(ids[4]),
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      "staff",
      actor.id,
      "Test admin",
      actor.email,
      "test.export",
      "client",
      "'=cmd|4",
      "",
      String(partner.id),
      partner.name,
      "",
      expect.stringMatching(/^audit-test-/),
      "",
      '{"note":"say \\"hi\\", 4"}',
    ]);
    expect(JSON.parse(newest[15]!)).toEqual({ note: 'say "hi", 4' });

    const none = await collect(
      streamAuditCsv(await staffCaller(actor), { actorType: "staff", actorId: actor.id, to: "2000-01-01" }),
    );
    expect(none).toEqual([header!.join(",") + "\r\n"]);
  });

  it("GET /api/audit/export is for signed-in admins only, streams the filtered log as an attachment and is itself audited", async () => {
    const actor = await createTestStaff("operations");
    const ids = [
      await record({ actor: { type: "staff", id: actor.id, role: actor.role }, action: "test.route" }),
      await record({ actor: { type: "staff", id: actor.id, role: actor.role }, action: "test.route" }),
    ];
    const url = `http://gatehouse.test/api/audit/export?actorType=staff&actorId=${actor.id}&action=&partnerId=`;

    vi.mocked(getStaffSession).mockResolvedValueOnce(undefined);
    const anonymous = await exportAudit(new Request(url));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "unauthorized" } });

    vi.mocked(getStaffSession).mockResolvedValueOnce(actor);
    const operations = await exportAudit(new Request(url));
    expect(operations.status).toBe(403);
    expect(await operations.json()).toMatchObject({ error: { code: "forbidden" } });

    const requestId = `audit-export-${uniqueTag()}`;
    vi.mocked(getStaffSession).mockResolvedValueOnce(admin);
    const res = await withClientAddress("192.0.2.44", () =>
      exportAudit(new Request(url, { headers: { "x-request-id": requestId } })),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-\d{8}\.csv"$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    // Streamed: the header line arrives on its own, before any page of events is read.
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe(
      "id,at,actor_type,actor_id,actor_name,actor_detail,action,entity_type,entity_id,entity_label,partner_id,partner_name,ip,request_id,before,after\r\n",
    );
    let text = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += decoder.decode(chunk.value, { stream: true });
    expect(parseCsv(text).map((r) => Number(r[0]))).toEqual([...ids].reverse());

    const [event] = await getDb()
      .select({
        action: auditEvents.action,
        actorType: auditEvents.actorType,
        actorId: auditEvents.actorId,
        after: auditEvents.after,
        ip: auditEvents.ip,
      })
      .from(auditEvents)
      .where(eq(auditEvents.requestId, requestId));
    expect(event).toEqual({
      action: "audit.export",
      actorType: "staff",
      actorId: admin.id,
      after: { filters: { actorType: "staff", actorId: actor.id } },
      ip: "192.0.2.44",
    });

    vi.mocked(getStaffSession).mockResolvedValueOnce(admin);
    const invalid = await exportAudit(new Request("http://gatehouse.test/api/audit/export?from=2024-13-40"));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ error: { code: "validation_failed", fields: [{ path: "from" }] } });
  });
});

describe("the audit log is append-only", () => {
  it("the database refuses to update, delete or truncate audit events", async () => {
    const id = await record({ actor: { type: "system", id: "test" }, action: "test.append_only" });

    expect(
      await databaseError(() =>
        getDb().update(auditEvents).set({ action: "test.tampered" }).where(eq(auditEvents.id, id)),
      ),
    ).toMatch(/audit_events is append-only: UPDATE is not allowed/);
    expect(await databaseError(() => getDb().delete(auditEvents).where(eq(auditEvents.id, id)))).toMatch(
      /audit_events is append-only: DELETE is not allowed/,
    );
    // Refused even when no row would change: no statement of the kind runs at all.
    expect(await databaseError(() => getDb().execute(sql`delete from audit_events where false`))).toMatch(
      /append-only/,
    );
    // In a transaction that is rolled back whatever happens, so the shared log survives a broken trigger.
    class Rollback extends Error {}
    const truncated = await databaseError(() =>
      getDb().transaction(async (tx) => {
        await tx.execute(sql`truncate audit_events`);
        throw new Rollback("TRUNCATE went through");
      }),
    );
    expect(truncated).toMatch(/audit_events is append-only: TRUNCATE is not allowed/);

    const [row] = await getDb().select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.id, id));
    expect(row).toEqual({ action: "test.append_only" });
  });
});

describe("staff sign-in security events", () => {
  it("records success, wrong passwords, the lock and refusals while locked, with the IP and never the password", async () => {
    const staff = await createTestStaff("operations");
    const ip = uniqueIp();
    const wrong = `wrong-${uniqueTag()}-password`;

    expect((await signInStaff(anonymousCaller({ ip }), { email: staff.email, password: staff.password })).ok).toBe(
      true,
    );
    for (let i = 0; i < 5; i++)
      expect(await signInStaff(anonymousCaller({ ip }), { email: staff.email, password: wrong })).toEqual({
        ok: false,
        reason: "invalid",
      });
    expect(await signInStaff(anonymousCaller({ ip }), { email: staff.email, password: staff.password })).toMatchObject({
      ok: false,
      reason: "invalid",
      lockedForSeconds: expect.any(Number),
    });

    const events = await eventsWithIp(ip);
    const failed = {
      action: "staff.sign_in_failed",
      actorType: "anonymous",
      actorId: null,
      entityType: "staff",
      entityId: staff.id,
      after: { reason: "password" },
      ip,
    };
    expect(events).toEqual([
      {
        action: "staff.sign_in",
        actorType: "staff",
        actorId: staff.id,
        entityType: "staff",
        entityId: staff.id,
        after: null,
        ip,
      },
      failed,
      failed,
      failed,
      failed,
      // The fifth failure locks the account; both events come from the transaction that counted it.
      {
        action: "staff.locked",
        actorType: "system",
        actorId: null,
        entityType: "staff",
        entityId: staff.id,
        after: { failures: 5, lockSeconds: 60 },
        ip,
      },
      failed,
      {
        action: "staff.sign_in_refused_locked",
        actorType: "anonymous",
        actorId: null,
        entityType: "staff",
        entityId: staff.id,
        after: null,
        ip,
      },
    ]);
    const stored = JSON.stringify(await getDb().select().from(auditEvents).where(eq(auditEvents.ip, ip)));
    expect(stored).not.toContain(wrong);
    expect(stored).not.toContain(staff.password);

    // The Audit log shows them for the staff member, named.
    const page = await callerFor(admin).audit.list({
      entityType: "staff",
      entityId: staff.id,
      action: "staff.sign_in_failed",
    });
    expect(page.items).toHaveLength(5);
    expect(page.items.every((e) => e.entityLabel === staff.email && e.ip === ip)).toBe(true);
  });

  it("records a sign-in with an unknown email as such, with the address typed and without the password", async () => {
    const ip = uniqueIp();
    const email = `Nobody-${uniqueTag()}@Staff.Test`;
    const password = `typed-${uniqueTag()}-secret`;
    expect(await signInStaff(anonymousCaller({ ip }), { email, password })).toEqual({ ok: false, reason: "invalid" });
    expect(await eventsWithIp(ip)).toEqual([
      {
        action: "staff.sign_in_failed",
        actorType: "anonymous",
        actorId: null,
        entityType: "staff",
        entityId: null,
        after: { reason: "unknown_email", email: email.toLowerCase() },
        ip,
      },
    ]);
    expect(JSON.stringify(await getDb().select().from(auditEvents).where(eq(auditEvents.ip, ip)))).not.toContain(
      password,
    );

    await recordRejectedSignIn(anonymousCaller({ ip }));
    expect((await eventsWithIp(ip)).at(-1)).toEqual({
      action: "staff.sign_in_failed",
      actorType: "anonymous",
      actorId: null,
      entityType: "staff",
      entityId: null,
      after: { reason: "malformed" },
      ip,
    });
  });

  it("records a wrong two-factor code as a failed sign-in with the IP", async () => {
    const staff = await createTestStaff("kam");
    const { secret } = await startTotpEnrollment(await staffCaller(staff));
    await confirmTotpEnrollment(await staffCaller(staff), { secret, code: currentTotp(secret) });
    const ip = uniqueIp();
    const wrongCode = String((Number(currentTotp(secret)) + 500_000) % 1_000_000).padStart(6, "0");

    expect(await signInStaff(anonymousCaller({ ip }), { email: staff.email, password: staff.password })).toEqual({
      ok: false,
      reason: "totp_required",
    });
    expect(
      await signInStaff(anonymousCaller({ ip }), { email: staff.email, password: staff.password, totp: wrongCode }),
    ).toEqual({ ok: false, reason: "totp_invalid" });
    expect(
      (
        await signInStaff(anonymousCaller({ ip }), {
          email: staff.email,
          password: staff.password,
          totp: currentTotp(secret),
        })
      ).ok,
    ).toBe(true);

    const events = await eventsWithIp(ip);
    // Asking for the code after a correct password is the form's second step, not a failure.
    expect(events.map((e) => [e.action, e.after])).toEqual([
      ["staff.sign_in_failed", { reason: "totp" }],
      ["staff.sign_in", null],
    ]);
    const stored = JSON.stringify(
      await getDb()
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.ip, ip), eq(auditEvents.entityId, staff.id))),
    );
    expect(stored).not.toContain(wrongCode);
    expect(stored).not.toContain(secret);
  });
});
