import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { ZodError } from "zod";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { POST as exportPicked } from "../../app/api/clients/export/route";
import { getDb } from "../../db/client";
import {
  auditEvents,
  bulkOperationItems,
  clients,
  emailConfirmations,
  partners,
  refreshTokens,
  webhookMessages,
} from "../../db/schema";
import { getStaffSession } from "../../server/auth/session";
import { callerAs, systemCaller, type Caller } from "../../server/caller";
import { runBulkOperations } from "../../server/clients/bulk-worker";
import { seedClients } from "../../server/setup/demo-seed";
import { whiteLabelRegistrationSchema } from "../../server/registration/schemas";
import { registerWhiteLabelClient } from "../../server/registration/white-label-registration";
import { addWebhookEndpoint } from "../../server/webhooks/endpoints";
import { createTestPartner, whiteLabelBody, type TestPartner } from "../support/api";
import { anonymousCaller } from "../support/caller";
import { callerFor, createTestStaff, trpcOutcome } from "../support/staff";

// The export route reads the next-auth session; here the test says who is signed in.
vi.mock("../../server/auth/session", () => ({ getStaffSession: vi.fn() }));

type Staff = Awaited<ReturnType<typeof createTestStaff>>;

const registrar: Caller = callerAs(anonymousCaller({ ip: "203.0.113.9" }), { type: "system", id: "test" });

/** A white-label client with an open session (its refresh token). */
async function makeClient(partner: TestPartner): Promise<string> {
  const input = whiteLabelRegistrationSchema.parse(whiteLabelBody());
  const issued = await registerWhiteLabelClient(registrar, { partner, input });
  return issued.clientId;
}

/** The rows as the Clients list shows them to this staff member: id and the updated_at it carries. */
async function listed(staff: Staff, partnerId: number) {
  const page = await callerFor(staff).client.list({ partnerId, limit: 100 });
  return page.items.map((c) => ({ id: c.id, updatedAt: c.updatedAt }));
}

async function statesOf(ids: string[]) {
  const rows = await getDb()
    .select({ id: clients.id, state: clients.profileState })
    .from(clients)
    .where(inArray(clients.id, ids));
  return Object.fromEntries(rows.map((r) => [r.id, r.state]));
}

async function openSessions(ids: string[]) {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(refreshTokens)
    .where(and(inArray(refreshTokens.clientId, ids), isNull(refreshTokens.revokedAt)));
  return row!.n;
}

async function bulkAudit(operationId: string) {
  return getDb()
    .select({
      entityId: auditEvents.entityId,
      action: auditEvents.action,
      actorId: auditEvents.actorId,
      partnerId: auditEvents.partnerId,
      before: auditEvents.before,
      after: auditEvents.after,
    })
    .from(auditEvents)
    .where(sql`${auditEvents.after}->>'bulkOperationId' = ${operationId} and ${auditEvents.entityType} = 'client'`);
}

/** Bulk-loaded clients of the partner, all active (the demo seed mixes states). */
async function seedActive(partnerId: number, count: number) {
  await seedClients(getDb(), { count, partnerId });
  await getDb().update(clients).set({ profileState: "active" }).where(eq(clients.partnerId, partnerId));
}

/** The field paths a refused call names (zod's, or the service's). */
async function refusedFields(call: Promise<unknown>): Promise<{ code: string; paths: string[] }> {
  try {
    await call;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    const cause = e.cause;
    const paths =
      cause instanceof ZodError
        ? cause.issues.map((i) => i.path.join("."))
        : ((cause as { fields?: Array<{ path: string }> } | undefined)?.fields ?? []).map((f) => f.path);
    return { code: e.code, paths };
  }
  throw new Error("the call was not refused");
}

describe("bulk actions on the Clients list", () => {
  let ops: Staff;
  beforeAll(async () => {
    ops = await createTestStaff("operations");
  });

  it("blocks three picked clients: blocked, sessions revoked, one audit event each with the same bulkOperationId, webhooks queued", async () => {
    const partner = await createTestPartner();
    await addWebhookEndpoint(systemCaller("test"), {
      partnerId: partner.id,
      url: "https://hooks.example.com/gatehouse",
      eventTypes: ["client.state_changed"],
    });
    const ids = [await makeClient(partner), await makeClient(partner), await makeClient(partner)];
    expect(await openSessions(ids)).toBe(3);
    const picked = await listed(ops, partner.id);
    expect(picked[0]!.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

    const result = await callerFor(ops).client.bulk({
      action: "block",
      reason: "Chargeback fraud ring",
      selection: { clientIds: picked },
    });

    expect(result).toMatchObject({ status: "completed", total: 3, processed: 3, succeeded: 3, skipped: 0, failed: 0 });
    expect(result.items.map((i) => i.status)).toEqual(["done", "done", "done"]);
    expect(Object.values(await statesOf(ids))).toEqual(["blocked", "blocked", "blocked"]);
    expect(await openSessions(ids)).toBe(0);
    const audit = await bulkAudit(result.id);
    expect(audit).toHaveLength(3);
    expect(new Set(audit.map((a) => a.entityId))).toEqual(new Set(ids));
    for (const a of audit) {
      expect(a).toMatchObject({
        action: "client.state_changed",
        actorId: ops.id,
        partnerId: partner.id,
        before: { state: "active" },
        after: { state: "blocked", reason: "Chargeback fraud ring", sessionsRevoked: 1, bulkOperationId: result.id },
      });
    }
    // What recordAudit would have queued: one client.state_changed message per client for the partner's endpoint.
    const messages = await getDb()
      .select({ clientId: webhookMessages.clientId, payload: webhookMessages.payload })
      .from(webhookMessages)
      .where(eq(webhookMessages.partnerId, partner.id));
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      expect(m.payload).toMatchObject({
        type: "client.state_changed",
        data: { clientId: m.clientId, partnerId: partner.id, state: "blocked", previousState: "active" },
      });
    }
    // Every state change moves updated_at on: the list now carries a newer version.
    const after = await listed(ops, partner.id);
    for (const row of after) expect(row.updatedAt > picked.find((p) => p.id === row.id)!.updatedAt).toBe(true);
  });

  it("skips and reports a client that changed between selection and action, and one the action does not apply to", async () => {
    const partner = await createTestPartner();
    const [a, b, c] = [await makeClient(partner), await makeClient(partner), await makeClient(partner)];
    const picked = await listed(ops, partner.id);
    // Someone else suspends b meanwhile; c's name is edited (a change in the same millisecond would still count).
    await callerFor(ops).client.setState({ clientId: b, state: "suspended", reason: "Looked into separately" });
    await getDb()
      .update(clients)
      .set({ firstName: "Renamed", updatedAt: sql`now()` })
      .where(eq(clients.id, c));

    const result = await callerFor(ops).client.bulk({
      action: "block",
      reason: "Mass block",
      selection: { clientIds: picked },
    });

    expect(result).toMatchObject({ total: 3, succeeded: 1, skipped: 2, failed: 0, status: "completed" });
    const byId = Object.fromEntries(result.items.map((i) => [i.clientId, i]));
    expect(byId[a]).toMatchObject({ status: "done" });
    expect(byId[b]).toMatchObject({ status: "skipped", outcome: expect.stringMatching(/changed since/i) });
    expect(byId[c]).toMatchObject({ status: "skipped", outcome: expect.stringMatching(/changed since/i) });
    expect(await statesOf([a, b, c])).toEqual({ [a]: "blocked", [b]: "suspended", [c]: "active" });
    expect(await bulkAudit(result.id)).toHaveLength(1);

    // Reactivating all three as the list shows them now: the active one is skipped as not applying.
    const again = await callerFor(ops).client.bulk({
      action: "reactivate",
      reason: "Cleared",
      selection: { clientIds: await listed(ops, partner.id) },
    });
    expect(again).toMatchObject({ succeeded: 2, skipped: 1 });
    expect(again.items.find((i) => i.clientId === c)).toMatchObject({ status: "skipped", outcome: "Already active" });
  });

  it("revokes sessions and sends password resets per client, skipping those it does not apply to", async () => {
    const partner = await createTestPartner();
    const [a, b] = [await makeClient(partner), await makeClient(partner)];
    await callerFor(ops).client.revokeSession({ clientId: b });
    const revoke = await callerFor(ops).client.bulk({
      action: "revoke_sessions",
      selection: { clientIds: await listed(ops, partner.id) },
    });
    expect(revoke).toMatchObject({ succeeded: 1, skipped: 1 });
    expect(revoke.items.find((i) => i.clientId === b)).toMatchObject({ outcome: "No open sessions" });
    expect(await openSessions([a, b])).toBe(0);

    const reset = await callerFor(ops).client.bulk({
      action: "send_password_reset",
      selection: { clientIds: await listed(ops, partner.id) },
    });
    expect(reset).toMatchObject({ succeeded: 2, skipped: 0, failed: 0 });
    const audit = await bulkAudit(reset.id);
    expect(audit.map((e) => e.action)).toEqual(["client.password_reset_sent", "client.password_reset_sent"]);
    // Asked again at once: the resend cooldown applies per client, and says so.
    const twice = await callerFor(ops).client.bulk({
      action: "send_password_reset",
      selection: { clientIds: await listed(ops, partner.id) },
    });
    expect(twice).toMatchObject({ succeeded: 0, skipped: 2 });

    // Resend confirmation: b has confirmed its email; a's code was sent long enough ago to send again.
    await getDb().update(clients).set({ emailConfirmedAt: new Date() }).where(eq(clients.id, b));
    await getDb()
      .update(emailConfirmations)
      .set({ lastSentAt: sql`now() - interval '10 minutes'`, createdAt: sql`now() - interval '10 minutes'` })
      .where(eq(emailConfirmations.clientId, a));
    const resend = await callerFor(ops).client.bulk({
      action: "resend_confirmation",
      selection: { clientIds: await listed(ops, partner.id) },
    });
    expect(resend).toMatchObject({ succeeded: 1, skipped: 1 });
    expect(resend.items.find((i) => i.clientId === b)).toMatchObject({ outcome: "Email already confirmed" });
    const resent = await getDb()
      .select({ action: auditEvents.action, after: auditEvents.after })
      .from(auditEvents)
      .where(
        sql`${auditEvents.after}->>'bulkOperationId' = ${resend.id} and ${auditEvents.entityType} = 'email_confirmation'`,
      );
    expect(resent).toMatchObject([{ action: "pending.resent", after: { resendCount: 1 } }]);
  });

  it("runs a filter-wide selection as a job: progress, completion, ANALYZE-sized totals", async () => {
    const partner = await createTestPartner();
    await seedActive(partner.id, 1200);
    expect(await callerFor(ops).client.count({ partnerId: partner.id })).toEqual({ count: 1200 });

    const started = await callerFor(ops).client.bulk({
      action: "suspend",
      reason: "Partner under review",
      selection: { filter: { partnerId: partner.id } },
    });
    expect(started).toMatchObject({ status: "queued", total: 1200, processed: 0, filterWide: true });

    await runBulkOperations({ operationId: started.id, batchSize: 500 });
    const midway = await callerFor(ops).client.bulkGet({ id: started.id });
    expect(midway).toMatchObject({ status: "running", processed: 500, succeeded: 500 });

    while (await runBulkOperations({ operationId: started.id, batchSize: 500 }));
    const done = await callerFor(ops).client.bulkGet({ id: started.id, itemLimit: 0 });
    expect(done).toMatchObject({ status: "completed", total: 1200, processed: 1200, succeeded: 1200, failed: 0 });
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(await callerFor(ops).client.count({ partnerId: partner.id, state: "suspended" })).toEqual({ count: 1200 });
    expect(await bulkAudit(started.id)).toHaveLength(1200);
    const recent = await callerFor(ops).client.bulkList({ limit: 50 });
    expect(recent.some((r) => r.id === started.id)).toBe(true);
  });

  it("cancel stops a background operation after the batch in flight; the clients not reached are untouched", async () => {
    const partner = await createTestPartner();
    await seedActive(partner.id, 700);
    const started = await callerFor(ops).client.bulk({
      action: "block",
      reason: "Stop them",
      selection: { filter: { partnerId: partner.id } },
    });
    await runBulkOperations({ operationId: started.id, batchSize: 300 });
    const cancelled = await callerFor(ops).client.bulkCancel({ id: started.id });
    expect(cancelled.cancelRequested).toBe(true);
    while (await runBulkOperations({ operationId: started.id, batchSize: 300 }));

    const view = await callerFor(ops).client.bulkGet({ id: started.id, itemLimit: 0 });
    expect(view).toMatchObject({ status: "cancelled", processed: 300, succeeded: 300 });
    expect(await callerFor(ops).client.count({ partnerId: partner.id, state: "blocked" })).toEqual({ count: 300 });
    expect(await trpcOutcome(callerFor(ops).client.bulkCancel({ id: started.id }))).toEqual({ code: "CONFLICT" });
  });

  it("an operation whose worker stopped is resumed by another once its claim lapses, and not before", async () => {
    const partner = await createTestPartner();
    await seedActive(partner.id, 600);
    const started = await callerFor(ops).client.bulk({
      action: "block",
      reason: "Resume me",
      selection: { filter: { partnerId: partner.id } },
    });
    await runBulkOperations({ operationId: started.id, batchSize: 200, claimant: "stopped-instance" });
    // Another instance finds the claim live and leaves the operation alone.
    expect(await runBulkOperations({ operationId: started.id, batchSize: 200, claimant: "other-instance" })).toBe(
      false,
    );
    expect(await callerFor(ops).client.bulkGet({ id: started.id, itemLimit: 0 })).toMatchObject({ processed: 200 });
    // The first instance stopped: its lease runs out, and the other takes over where it stopped.
    await getDb().execute(
      sql`update bulk_operations set claimed_until = now() - interval '1 second' where id = ${started.id}`,
    );
    while (await runBulkOperations({ operationId: started.id, batchSize: 200, claimant: "other-instance" }));
    expect(await callerFor(ops).client.bulkGet({ id: started.id, itemLimit: 0 })).toMatchObject({
      status: "completed",
      processed: 600,
      succeeded: 600,
    });
    expect(await bulkAudit(started.id)).toHaveLength(600);
  });

  it("a client changed after a filter-wide operation started is skipped, not overwritten", async () => {
    const partner = await createTestPartner();
    const [a, b] = [await makeClient(partner), await makeClient(partner)];
    const started = await callerFor(ops).client.bulk({
      action: "block",
      reason: "Filter-wide",
      selection: { filter: { partnerId: partner.id } },
    });
    await callerFor(ops).client.setState({ clientId: a, state: "suspended", reason: "Meanwhile" });
    while (await runBulkOperations({ operationId: started.id }));
    const view = await callerFor(ops).client.bulkGet({ id: started.id });
    expect(view).toMatchObject({ status: "completed", succeeded: 1, skipped: 1 });
    expect(await statesOf([a, b])).toEqual({ [a]: "suspended", [b]: "blocked" });
  });

  it("the same operation submitted twice at once applies each client once", async () => {
    const partner = await createTestPartner();
    const ids = [await makeClient(partner), await makeClient(partner), await makeClient(partner)];
    const picked = await listed(ops, partner.id);
    const submit = () =>
      callerFor(ops).client.bulk({ action: "block", reason: "Double click", selection: { clientIds: picked } });
    const [first, second] = await Promise.all([submit(), submit()]);
    expect(first.succeeded + second.succeeded).toBe(3);
    expect(first.skipped + second.skipped).toBe(3);
    const third = await submit();
    expect(third).toMatchObject({ succeeded: 0, skipped: 3 });
    const events = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(
        and(
          inArray(auditEvents.entityId, ids),
          eq(auditEvents.action, "client.state_changed"),
          sql`${auditEvents.after}->>'state' = 'blocked'`,
        ),
      );
    expect(events[0]!.n).toBe(3);
    expect(await openSessions(ids)).toBe(0);
  });

  it("a KAM may export their own partners' clients but not act on them", async () => {
    const kam = await createTestStaff("kam");
    const own = await createTestPartner();
    const other = await createTestPartner();
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, own.id));
    const mine = await makeClient(own);
    const theirs = await makeClient(other);

    expect(
      await trpcOutcome(
        callerFor(kam).client.bulk({
          action: "block",
          reason: "Not allowed",
          selection: { clientIds: await listed(kam, own.id) },
        }),
      ),
    ).toEqual({ code: "FORBIDDEN" });
    expect(await trpcOutcome(callerFor(kam).client.bulkList({}))).toEqual({ code: "FORBIDDEN" });
    expect(await callerFor(kam).client.count({ partnerId: other.id })).toEqual({ count: 0 });
    expect(await callerFor(kam).client.count({ partnerId: own.id })).toEqual({ count: 1 });

    vi.mocked(getStaffSession).mockResolvedValue(kam);
    const res = await exportPicked(
      new Request("http://localhost/api/clients/export", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientIds: [mine, theirs] }),
      }),
    );
    expect(res.status).toBe(200);
    const csv = await res.text();
    expect(csv).toContain(mine);
    expect(csv).not.toContain(theirs);
    expect(csv.trim().split("\n")).toHaveLength(2);
    const [exported] = await getDb()
      .select({ after: auditEvents.after })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "client.export"), eq(auditEvents.actorId, kam.id)));
    expect(exported?.after).toMatchObject({ clientIds: [mine, theirs] });

    const tooMany = await exportPicked(
      new Request("http://localhost/api/clients/export", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientIds: ["nope"] }),
      }),
    );
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(await tooMany.json())).toContain("clientIds");
  });

  it("bad input is refused with the field named, never a 500", async () => {
    const partner = await createTestPartner();
    const picked = (await listed(ops, partner.id)).concat([
      { id: randomUUID(), updatedAt: "2026-01-01T00:00:00.000000Z" },
    ]);
    const api = callerFor(ops);
    const pick = [{ id: randomUUID(), updatedAt: "2026-01-01T00:00:00.000000Z" }];

    expect(await refusedFields(api.client.bulk({ action: "block", selection: { clientIds: pick } }))).toEqual({
      code: "BAD_REQUEST",
      paths: ["reason"],
    });
    expect(
      await refusedFields(
        api.client.bulk({ action: "explode" as "block", reason: "x y z", selection: { clientIds: pick } }),
      ),
    ).toMatchObject({ code: "BAD_REQUEST", paths: ["action"] });
    const many = Array.from({ length: 501 }, () => ({ id: randomUUID(), updatedAt: "2026-01-01T00:00:00.000000Z" }));
    expect(
      await refusedFields(api.client.bulk({ action: "block", reason: "Too many", selection: { clientIds: many } })),
    ).toEqual({ code: "BAD_REQUEST", paths: ["selection.clientIds"] });
    expect(
      await refusedFields(
        api.client.bulk({
          action: "block",
          reason: "Bad ids",
          selection: { clientIds: [{ id: "not-a-uuid", updatedAt: "yesterday" }] },
        }),
      ),
    ).toEqual({ code: "BAD_REQUEST", paths: ["selection.clientIds.0.id", "selection.clientIds.0.updatedAt"] });
    expect(
      await refusedFields(api.client.bulk({ action: "block", reason: "Unknown", selection: { clientIds: picked } })),
    ).toEqual({ code: "NOT_FOUND", paths: [`selection.clientIds.${picked.length - 1}.id`] });
    expect(
      await refusedFields(
        api.client.bulk({ action: "block", reason: "Empty", selection: { filter: { partnerId: partner.id } } }),
      ),
    ).toEqual({ code: "CONFLICT", paths: ["selection.filter"] });
    expect(await refusedFields(api.client.bulk({ action: "block", reason: "Neither", selection: {} }))).toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await trpcOutcome(api.client.bulkGet({ id: "nope" }))).toEqual({ code: "BAD_REQUEST" });
    expect(await trpcOutcome(api.client.bulkGet({ id: randomUUID() }))).toEqual({ code: "NOT_FOUND" });
    // Nothing was recorded for the refused requests.
    const [left] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(bulkOperationItems)
      .where(
        inArray(
          bulkOperationItems.clientId,
          pick.map((p) => p.id),
        ),
      );
    expect(left!.n).toBe(0);
  });
});
