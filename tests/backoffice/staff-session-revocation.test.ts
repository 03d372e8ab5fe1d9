import { readFileSync } from "node:fs";
import path from "node:path";
import { and, desc, eq, sql } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { signOutAction } from "../../app/(dashboard)/actions";
import { GET as trpcGet } from "../../app/api/trpc/[trpc]/route";
import { getDb } from "../../db/client";
import { auditEvents, staffSessions, staffUsers } from "../../db/schema";
import { config } from "../../env";
import { getStaffSession } from "../../server/auth/session";
import { confirmTotpEnrollment, startTotpEnrollment } from "../../server/staff/account";
import { legacySessionId, loadStaffForSession } from "../../server/staff/sessions";
import { signInStaff } from "../../server/staff/sign-in";
import { currentTotp } from "../../server/staff/totp";
import { signInThroughAuth, signOutThroughAuth } from "../support/auth-handlers";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff, trpcOutcome } from "../support/staff";

/*
 * Sessions end on the server: a copy of the session cookie taken before the
 * session ended is refused afterwards. Cookies come from real sign-ins through
 * next-auth's handler, and are presented the way a page, a server action or
 * the tRPC endpoint reads them: through Next.js's request headers, which the
 * test sets (there is no Next.js server here to set them).
 */
const request = vi.hoisted(() => ({ cookie: "", setCookies: [] as Array<{ name: string; value: string }> }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "gatehouse.test", cookie: request.cookie }),
  cookies: async () => ({ set: (name: string, value: string) => request.setCookies.push({ name, value }) }),
}));

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

/** Who the request carrying this cookie is signed in as, as every page and procedure asks. */
function sessionWith(cookie: string) {
  request.cookie = cookie;
  return getStaffSession();
}

/** A sign-in through next-auth's handler; its session cookie. */
async function cookieOf(staff: TestStaff, password = staff.password): Promise<string> {
  const answer = await signInThroughAuth({ email: staff.email, password, userAgent: "Gatehouse test browser" });
  expect(answer.code, `signing in ${staff.email}`).toBe("OK");
  return answer.sessionCookie!;
}

/** The member's session rows as a set of ids: which are still open. */
async function openSessions(staffId: string): Promise<number> {
  const rows = await getDb()
    .select({ revokedAt: staffSessions.revokedAt })
    .from(staffSessions)
    .where(eq(staffSessions.staffId, staffId));
  return rows.filter((r) => r.revokedAt === null).length;
}

async function latestAudit(entityId: string, action: string) {
  const [row] = await getDb()
    .select({ actorId: auditEvents.actorId, before: auditEvents.before, after: auditEvents.after })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityId, entityId), eq(auditEvents.action, action)))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return row;
}

let admin: TestStaff;
beforeAll(async () => {
  admin = await createTestStaff("admin");
});

describe("signing out ends the session on the server", () => {
  it("a cookie copied before next-auth's /api/auth/signout is refused afterwards, by pages and by the tRPC endpoint", async () => {
    const staff = await createTestStaff("operations");
    const copied = await cookieOf(staff);
    expect(await sessionWith(copied)).toMatchObject({ id: staff.id, role: "operations" });
    const [row] = await getDb()
      .select()
      .from(staffSessions)
      .where(and(eq(staffSessions.staffId, staff.id), eq(staffSessions.userAgent, "Gatehouse test browser")));
    expect(row).toMatchObject({ revokedAt: null, ip: expect.any(String) });
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(8 * 60 * 60 * 1000);

    const signedOut = await signOutThroughAuth(copied);
    expect(signedOut.status).toBe(200);
    expect(signedOut.headers.getSetCookie().some((c) => /^authjs\.session-token=;/.test(c))).toBe(true);

    expect(await sessionWith(copied)).toBeUndefined();
    request.cookie = copied;
    const call = await trpcGet(new Request("http://gatehouse.test/api/trpc/account.me"));
    expect(call.status).toBe(401);
    expect(await openSessions(staff.id)).toBe(1);
  });

  it("a cookie copied before the dashboard's Sign out button is refused afterwards", async () => {
    const staff = await createTestStaff("kam");
    const copied = await cookieOf(staff);
    const other = await cookieOf(staff);
    expect(await sessionWith(copied)).toMatchObject({ id: staff.id });

    request.cookie = copied;
    request.setCookies = [];
    // The action ends with a redirect to the login page, which Next.js throws.
    await expect(signOutAction()).rejects.toMatchObject({ digest: expect.stringContaining("/login") });
    expect(request.setCookies).toContainEqual({ name: "authjs.session-token", value: "" });

    expect(await sessionWith(copied)).toBeUndefined();
    // Only that session: the member's other browser stays signed in.
    expect(await sessionWith(other)).toMatchObject({ id: staff.id });
  });
});

describe("what else ends a member's sessions", () => {
  it("deactivation ends every session", async () => {
    const staff = await createTestStaff("operations");
    const cookie = await cookieOf(staff);
    await callerFor(admin).staff.deactivate({ staffId: staff.id });
    expect(await sessionWith(cookie)).toBeUndefined();
    expect(await loadStaffForSession({ staffId: staff.id, sessionId: staff.sessionId })).toBeUndefined();
    expect(await openSessions(staff.id)).toBe(0);
  });

  it("a role change ends every session", async () => {
    const staff = await createTestStaff("kam");
    const cookie = await cookieOf(staff);
    await callerFor(admin).staff.changeRole({ staffId: staff.id, role: "operations" });
    expect(await sessionWith(cookie)).toBeUndefined();
    expect(await openSessions(staff.id)).toBe(0);
    expect(await sessionWith(await cookieOf(staff))).toMatchObject({ id: staff.id, role: "operations" });
  });

  it("a TOTP reset ends every session", async () => {
    const staff = await createTestStaff("operations");
    const { secret } = await startTotpEnrollment(await staffCaller(staff));
    await confirmTotpEnrollment(await staffCaller(staff), { secret, code: currentTotp(secret) });
    const signedIn = await signInStaff(anonymousCaller(), {
      email: staff.email,
      password: staff.password,
      totp: currentTotp(secret),
    });
    expect(signedIn.ok).toBe(true);
    await callerFor(admin).staff.resetTotp({ staffId: staff.id });
    expect(
      await loadStaffForSession({ staffId: staff.id, sessionId: signedIn.ok ? signedIn.staff.sessionId : "" }),
    ).toBeUndefined();
    expect(await openSessions(staff.id)).toBe(0);
  });
});

describe("an admin resets a member's password", () => {
  it("gives a temporary password once, ends every session, clears the lockout, and is audited without the password", async () => {
    const staff = await createTestStaff("kam");
    const cookie = await cookieOf(staff);
    for (let i = 0; i < 5; i++) await signInStaff(anonymousCaller(), { email: staff.email, password: `guess ${i}` });

    const reset = await callerFor(admin).staff.resetPassword({ staffId: staff.id });
    expect(reset).toEqual({
      id: staff.id,
      email: staff.email,
      name: staff.name,
      temporaryPassword: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
    });

    expect(await sessionWith(cookie)).toBeUndefined();
    expect(await openSessions(staff.id)).toBe(0);
    const [row] = await getDb()
      .select({ failedSignIns: staffUsers.failedSignIns, lockedUntil: staffUsers.lockedUntil })
      .from(staffUsers)
      .where(eq(staffUsers.id, staff.id));
    expect(row).toEqual({ failedSignIns: 0, lockedUntil: null });
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: reset.temporaryPassword }),
    ).toMatchObject({ ok: true });

    const audit = await latestAudit(staff.id, "staff.password_reset");
    expect(audit).toMatchObject({
      actorId: admin.id,
      before: { failedSignIns: 5 },
      after: { failedSignIns: 0, lockedUntil: null, sessionsEnded: 2 },
    });
    expect(JSON.stringify(audit)).not.toContain(reset.temporaryPassword);
  });

  it("is for admins, and not for their own account", async () => {
    const staff = await createTestStaff("operations");
    expect((await trpcOutcome(callerFor(staff).staff.resetPassword({ staffId: admin.id }))).code).toBe("FORBIDDEN");
    expect((await trpcOutcome(callerFor(admin).staff.resetPassword({ staffId: admin.id }))).code).toBe("FORBIDDEN");
    expect(
      (await trpcOutcome(callerFor(admin).staff.resetPassword({ staffId: "00000000-0000-4000-8000-000000000000" })))
        .code,
    ).toBe("NOT_FOUND");
    expect(await sessionWith(await cookieOf(admin))).toMatchObject({ id: admin.id });
  });
});

describe("a member changes their own password", () => {
  it("needs the current password, counts a wrong one as a failure, ends their other sessions and keeps this one", async () => {
    const staff = await createTestStaff("operations");
    const here = await cookieOf(staff);
    const elsewhere = await cookieOf(staff);
    const session = await sessionWith(here);
    const caller = callerFor(session);
    const newPassword = "a new and longer passphrase";

    expect((await trpcOutcome(caller.account.changePassword({ newPassword } as never))).code).toBe("BAD_REQUEST");
    expect(
      (
        await trpcOutcome(
          caller.account.changePassword({ currentPassword: staff.password, newPassword: staff.password }),
        )
      ).code,
    ).toBe("BAD_REQUEST");
    expect(
      (await trpcOutcome(caller.account.changePassword({ currentPassword: "not my password", newPassword }))).code,
    ).toBe("UNPROCESSABLE_CONTENT");
    const [counted] = await getDb()
      .select({ failedSignIns: staffUsers.failedSignIns })
      .from(staffUsers)
      .where(eq(staffUsers.id, staff.id));
    expect(counted).toEqual({ failedSignIns: 1 });
    expect(await sessionWith(elsewhere)).toMatchObject({ id: staff.id });

    expect(await caller.account.changePassword({ currentPassword: staff.password, newPassword })).toEqual({
      otherSessionsEnded: 2,
    });

    expect(await sessionWith(here)).toMatchObject({ id: staff.id });
    expect(await sessionWith(elsewhere)).toBeUndefined();
    expect(await loadStaffForSession({ staffId: staff.id, sessionId: staff.sessionId })).toBeUndefined();
    expect(await openSessions(staff.id)).toBe(1);
    const [reset] = await getDb()
      .select({ failedSignIns: staffUsers.failedSignIns })
      .from(staffUsers)
      .where(eq(staffUsers.id, staff.id));
    expect(reset).toEqual({ failedSignIns: 0 });
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password })).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: newPassword })).toMatchObject({
      ok: true,
    });

    const audit = await latestAudit(staff.id, "staff.password_changed");
    expect(audit).toEqual({ actorId: staff.id, before: null, after: { otherSessionsEnded: 2 } });
    const events = JSON.stringify(await getDb().select().from(auditEvents).where(eq(auditEvents.entityId, staff.id)));
    expect(events).not.toContain(newPassword);
    expect(events).not.toContain("not my password");
  });
});

describe("sessions opened before session rows existed (an upgrade)", () => {
  /** A session cookie as the previous release wrote it: the member and their session_version, no session row. */
  async function legacyCookie(staff: TestStaff, sessionVersion: number): Promise<string> {
    const name = "authjs.session-token";
    const value = await encode({
      token: { sub: staff.id, email: staff.email, name: staff.name, sv: sessionVersion },
      secret: config().authSecret,
      salt: name,
    });
    return `${name}=${value}`;
  }

  /** The row migration 0010 makes for each active member, with the id it computes in SQL. */
  async function migrateLegacySession(staff: TestStaff, sessionVersion: number): Promise<string> {
    const migration = readFileSync(
      path.resolve(import.meta.dirname, "../../db/migrations/0010_staff_sessions.sql"),
      "utf8",
    );
    const idExpression = /SELECT (\(substr\(h[\s\S]+?\)::uuid), "id"/.exec(migration)?.[1];
    expect(idExpression, "the migration derives each legacy row's id").toBeDefined();
    const rows = await getDb().execute<{ id: string }>(
      sql`select ${sql.raw(idExpression!)} as id from (select md5(${`${staff.id}:${sessionVersion}`}) as h) as legacy`,
    );
    const id = rows.rows[0]!.id;
    await getDb()
      .insert(staffSessions)
      .values({ id, staffId: staff.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 8 * 60 * 60 * 1000) });
    return id;
  }

  it("the migration and the app derive the same row id from a member and their session version", async () => {
    const staff = await createTestStaff("operations");
    expect(await migrateLegacySession(staff, 3)).toBe(legacySessionId(staff.id, 3));
  });

  it("a cookie from before the upgrade keeps working, and signing out of it ends it", async () => {
    const staff = await createTestStaff("operations");
    await migrateLegacySession(staff, 1);
    const cookie = await legacyCookie(staff, 1);
    expect(await sessionWith(cookie)).toMatchObject({ id: staff.id, role: "operations" });
    // A cookie of an older session version was dead before the upgrade and stays dead.
    expect(await sessionWith(await legacyCookie(staff, 0))).toBeUndefined();

    expect((await signOutThroughAuth(cookie)).status).toBe(200);
    expect(await sessionWith(cookie)).toBeUndefined();
  });
});
