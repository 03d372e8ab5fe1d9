import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, clients, emailOutbox, partners } from "../../db/schema";
import { createTestPartner, STRONG_PARTNER_PASSWORD, uniqueEmail, useApi, whiteLabelBody } from "../support/api";
import { callerFor, createTestStaff, trpcOutcome } from "../support/staff";

/**
 * "Send password reset" on the client page: operations and admins send the
 * client the reset email of the public API; a KAM may not (clients are
 * read-only to KAMs); staff never learn the code. The client then finishes
 * over HTTP, as from the app.
 */

const api = useApi();

async function resetEmails(address: string) {
  return getDb()
    .select({ text: emailOutbox.textBody, clientId: emailOutbox.clientId })
    .from(emailOutbox)
    .where(
      and(sql`lower(${emailOutbox.toAddress}) = lower(${address})`, eq(emailOutbox.template, "password_reset_code")),
    )
    .orderBy(asc(emailOutbox.createdAt));
}

async function whiteLabelClient(sandbox = true) {
  const partner = await createTestPartner({ sandbox });
  const email = uniqueEmail("staff-reset");
  const res = await api.post("/api/public/register", whiteLabelBody({ email }), { partnerId: String(partner.id) });
  expect(res.status).toBe(201);
  return { partner, email, clientId: res.body.clientId as string };
}

describe("client.sendPasswordReset", () => {
  it("operations and admins send it, audited; a KAM, even the partner's own, is refused, and so is a visitor", async () => {
    const { partner, email, clientId } = await whiteLabelClient();
    const kam = await createTestStaff("kam");
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, partner.id));

    expect(await trpcOutcome(callerFor(undefined).client.sendPasswordReset({ clientId }))).toEqual({
      code: "UNAUTHORIZED",
    });
    expect(await trpcOutcome(callerFor(kam).client.sendPasswordReset({ clientId }))).toEqual({ code: "FORBIDDEN" });
    expect(await resetEmails(email)).toEqual([]);

    const ops = await createTestStaff("operations");
    const sent = await callerFor(ops).client.sendPasswordReset({ clientId });
    expect(sent).toEqual({ clientId, email, expiresAt: expect.any(Date) });
    expect(Math.abs(sent.expiresAt.getTime() - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
    // Nothing in the answer a client's secret could hide in.
    expect(Object.keys(sent).sort()).toEqual(["clientId", "email", "expiresAt"]);

    const mails = await resetEmails(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.clientId).toBe(clientId);
    expect(mails[0]!.text).toContain("12345");

    const [event] = await getDb()
      .select({
        actorType: auditEvents.actorType,
        actorId: auditEvents.actorId,
        partnerId: auditEvents.partnerId,
        ip: auditEvents.ip,
        after: auditEvents.after,
      })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, clientId), eq(auditEvents.action, "client.password_reset_sent")));
    expect(event).toMatchObject({
      actorType: "staff",
      actorId: ops.id,
      partnerId: partner.id,
      ip: "127.0.0.1",
      after: { expiresAt: expect.any(String), resendCount: 0 },
    });
    expect(JSON.stringify(event)).not.toContain("12345");

    // Within the cooldown a second send is refused, as a client's own would be; an admin's alike.
    const admin = await createTestStaff("admin");
    await expect(callerFor(admin).client.sendPasswordReset({ clientId })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    expect(await resetEmails(email)).toHaveLength(1);
  });

  it("the client finishes with the emailed code over the white-label API", async () => {
    const { partner, email, clientId } = await whiteLabelClient(false);
    const admin = await createTestStaff("admin");
    await callerFor(admin).client.sendPasswordReset({ clientId });
    const code = /^ {4}(\d{6})$/m.exec((await resetEmails(email))[0]!.text)![1]!;
    const res = await api.post(
      "/api/public/password/reset",
      { email, code, password: "Chosen123" },
      { partnerId: String(partner.id) },
    );
    expect(res.status).toBe(200);
    const signIn = await api.post(
      "/api/public/authenticate",
      { username: email, password: "Chosen123" },
      { partnerId: String(partner.id) },
    );
    expect(signIn.status).toBe(200);
  });

  it("a partner-API client's link leads to the partner API's reset", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const email = uniqueEmail("staff-reset");
    await api.post("/reg/user", { email, password: STRONG_PARTNER_PASSWORD }, { partnerId: String(partner.id) });
    const done = await api.post(
      "/reg/user",
      { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: "12345" },
      { partnerId: String(partner.id) },
    );
    expect(done.status).toBe(201);
    const ops = await createTestStaff("operations");
    await callerFor(ops).client.sendPasswordReset({ clientId: (done.body.user_id as string).slice(4) });
    expect((await resetEmails(email))[0]!.text).toContain("flavour=partner");
  });

  it("refuses a suspended client, and a client out of sight is not found", async () => {
    const { clientId } = await whiteLabelClient();
    const ops = await createTestStaff("operations");
    await getDb().update(clients).set({ profileState: "suspended" }).where(eq(clients.id, clientId));
    await expect(callerFor(ops).client.sendPasswordReset({ clientId })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      callerFor(ops).client.sendPasswordReset({ clientId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(ops).client.sendPasswordReset({ clientId: "nope" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
