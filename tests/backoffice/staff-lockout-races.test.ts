import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, staffUsers } from "../../db/schema";
import { confirmTotpEnrollment, startTotpEnrollment } from "../../server/staff/account";
import { beginAttempt, releaseAttempt, type Attempt } from "../../server/staff/attempts";
import { FREE_FAILURES } from "../../server/staff/lockout";
import { currentTotp, newTotpSecret } from "../../server/staff/totp";
import { csrf, signInThroughAuth } from "../support/auth-handlers";
import { staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

/**
 * Racing requests get no more secret checks than the lockout allows: each
 * attempt is counted before its check. The checks are counted from the audit
 * events the real code writes after each one (one per check that ran), and the
 * answers from what the caller is told. Sign-ins go through next-auth's own
 * handler, as the login form sends them.
 */

const RACERS = 40;

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

async function auditCount(staffId: string, action: string, reason?: string): Promise<number> {
  return getDb().$count(
    auditEvents,
    and(
      eq(auditEvents.entityId, staffId),
      eq(auditEvents.action, action),
      reason ? sql`${auditEvents.after}->>'reason' = ${reason}` : undefined,
    ),
  );
}

async function lockState(staffId: string) {
  const [row] = await getDb()
    .select({ failedSignIns: staffUsers.failedSignIns, lockedUntil: staffUsers.lockedUntil })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId));
  return {
    failedSignIns: row!.failedSignIns,
    locked: row!.lockedUntil !== null && row!.lockedUntil.getTime() > Date.now(),
  };
}

function wrongCode(secret: string): string {
  return String((Number(currentTotp(secret)) + 500_000) % 1_000_000).padStart(6, "0");
}

async function enrolTotp(staff: TestStaff): Promise<string> {
  const { secret } = await startTotpEnrollment(await staffCaller(staff));
  await confirmTotpEnrollment(await staffCaller(staff), { secret, code: currentTotp(secret) });
  return secret;
}

/** Each call's outcome: "OK" or the tRPC error code, with its message. */
async function outcomes(calls: Array<() => Promise<unknown>>): Promise<Array<{ code: string; message: string }>> {
  return Promise.all(
    calls.map((call) =>
      call().then(
        () => ({ code: "OK", message: "" }),
        (e: unknown) => {
          if (!(e instanceof TRPCError)) throw e;
          return { code: e.code, message: e.message };
        },
      ),
    ),
  );
}

const tally = (codes: string[]) => codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});

describe("staff lockout under racing requests", () => {
  it(`${RACERS} wrong passwords sent at once through the sign-in handler get at most ${FREE_FAILURES} password checks, then the lock`, async () => {
    const staff = await createTestStaff("operations");
    const token = await csrf();
    const answers = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        signInThroughAuth({ email: staff.email, password: `wrong guess ${i}`, token }),
      ),
    );

    // Everyone is told the same: wrong credentials, whether their guess was checked or refused by the lock.
    expect(tally(answers.map((a) => a.code))).toEqual({ invalid: RACERS });
    const checked = await auditCount(staff.id, "staff.sign_in_failed", "password");
    expect(checked).toBeLessThanOrEqual(FREE_FAILURES);
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked + (await auditCount(staff.id, "staff.sign_in_refused_locked"))).toBe(RACERS);
    expect(await auditCount(staff.id, "staff.locked")).toBe(1);
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES, locked: true });
  });

  it(`${RACERS} wrong TOTP codes with the right password, sent at once, get at most ${FREE_FAILURES} code checks`, async () => {
    const staff = await createTestStaff("kam");
    const secret = await enrolTotp(staff);
    const token = await csrf();
    const answers = await Promise.all(
      Array.from({ length: RACERS }, () =>
        signInThroughAuth({ email: staff.email, password: staff.password, totp: wrongCode(secret), token }),
      ),
    );

    const codeChecks =
      (await auditCount(staff.id, "staff.sign_in_failed", "totp")) +
      (await auditCount(staff.id, "staff.sign_in_failed", "totp_reused"));
    expect(codeChecks).toBeLessThanOrEqual(FREE_FAILURES);
    expect(codeChecks).toBeGreaterThanOrEqual(1);
    // Only the attempts that were checked learn that the password was right.
    expect(tally(answers.map((a) => a.code))).toEqual({ totp_invalid: codeChecks, invalid: RACERS - codeChecks });
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES, locked: true });
    // Locked: the right password and the right code are refused too.
    expect(
      (await signInThroughAuth({ email: staff.email, password: staff.password, totp: currentTotp(secret) })).code,
    ).toBe("invalid");
  });

  it(`${RACERS} wrong "current code" replacements of an authenticator, sent at once, get at most ${FREE_FAILURES} checks and then are refused as locked`, async () => {
    const staff = await createTestStaff("operations");
    const current = await enrolTotp(staff);
    const next = newTotpSecret();
    const caller = callerFor(staff);
    const replace = (currentCode: string) => () =>
      caller.account.confirmTotp({ secret: next, code: currentTotp(next), currentCode });
    const results = await outcomes(Array.from({ length: RACERS }, () => replace(wrongCode(current))));

    const refused = results.filter((r) => r.code === "TOO_MANY_REQUESTS");
    const checked = results.filter((r) => r.code === "UNPROCESSABLE_CONTENT");
    expect(checked.length + refused.length).toBe(RACERS);
    expect(checked.length).toBeLessThanOrEqual(FREE_FAILURES);
    expect(checked.every((r) => /does not match your current authenticator/.test(r.message))).toBe(true);
    expect(await auditCount(staff.id, "staff.totp_replace_failed", "totp")).toBe(checked.length);
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES, locked: true });

    // While locked even the right code is refused, saying so and for how long.
    const [locked] = await outcomes([replace(currentTotp(current))]);
    expect(locked).toEqual({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/locked for (1 minute|\d\d seconds)\./),
    });
    expect(refused.every((r) => /locked for \d+ (minute|second)s?/.test(r.message))).toBe(true);
    // The lock is the sign-in lock: the member cannot sign in either.
    expect(
      (await signInThroughAuth({ email: staff.email, password: staff.password, totp: currentTotp(current) })).code,
    ).toBe("invalid");
  });

  it(`${RACERS} wrong current passwords on Account security, sent at once, get at most ${FREE_FAILURES} checks`, async () => {
    const staff = await createTestStaff("kam");
    const caller = callerFor(staff);
    const results = await outcomes(
      Array.from(
        { length: RACERS },
        (_, i) => () =>
          caller.account.changePassword({ currentPassword: `wrong guess ${i}`, newPassword: "a brand new passphrase" }),
      ),
    );

    const checked = results.filter((r) => r.code === "UNPROCESSABLE_CONTENT");
    expect(checked.length).toBeLessThanOrEqual(FREE_FAILURES);
    expect(tally(results.map((r) => r.code))).toEqual({
      UNPROCESSABLE_CONTENT: checked.length,
      TOO_MANY_REQUESTS: RACERS - checked.length,
    });
    expect(await auditCount(staff.id, "staff.password_change_failed", "password")).toBe(checked.length);
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES, locked: true });
  });
});

describe("a locked account answers like an unknown email", () => {
  it("the sign-in handler gives a locked account's right password the answer an unknown address gets, and audits the refusal as locked", async () => {
    const staff = await createTestStaff("operations");
    for (let i = 0; i < FREE_FAILURES; i++)
      expect((await signInThroughAuth({ email: staff.email, password: `guess ${i}` })).code).toBe("invalid");

    const locked = await signInThroughAuth({ email: staff.email, password: staff.password });
    const unknown = await signInThroughAuth({
      email: `nobody-${staff.id.slice(0, 8)}@staff.test`,
      password: staff.password,
    });
    const wrong = await signInThroughAuth({ email: staff.email, password: "yet another guess" });

    expect(locked).toEqual({ status: 200, code: "invalid", body: unknown.body });
    expect(locked).toEqual(unknown);
    expect(wrong).toEqual(unknown);
    expect(await auditCount(staff.id, "staff.sign_in_refused_locked")).toBe(2);
  });
});

describe("giving an attempt back", () => {
  /** Grants an attempt, failing the test if the account is locked. */
  async function attempt(staffId: string, now = Date.now()): Promise<Attempt> {
    const grant = await beginAttempt({ staffId, now });
    if (!grant.granted) throw new Error("the account is locked");
    return grant.attempt;
  }

  it("a right password waiting for its TOTP code restores the count and lifts the lock its attempt set", async () => {
    const staff = await createTestStaff("kam");
    const secret = await enrolTotp(staff);
    for (let i = 0; i < FREE_FAILURES - 1; i++) await signInThroughAuth({ email: staff.email, password: `guess ${i}` });
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES - 1, locked: false });

    // The form's first step took the last free slot (locking, while the password was checked) and gave it back.
    expect((await signInThroughAuth({ email: staff.email, password: staff.password })).code).toBe("totp_required");
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES - 1, locked: false });
    expect(
      (await signInThroughAuth({ email: staff.email, password: staff.password, totp: currentTotp(secret) })).code,
    ).toBe("OK");
    expect(await lockState(staff.id)).toEqual({ failedSignIns: 0, locked: false });
  });

  it("leaves a lock set by a later attempt in place", async () => {
    const staff = await createTestStaff("operations");
    const first = await attempt(staff.id);
    for (let i = 1; i < FREE_FAILURES; i++) await attempt(staff.id);
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES, locked: true });
    expect(first.lockedUntil).toBeNull();

    await releaseAttempt(first);
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES - 1, locked: true });
  });

  it("lifts only its own lock, and never counts below zero", async () => {
    const staff = await createTestStaff("operations");
    for (let i = 1; i < FREE_FAILURES; i++) await attempt(staff.id);
    const locking = await attempt(staff.id);
    expect(locking.lockedUntil).not.toBeNull();
    await releaseAttempt(locking);
    expect(await lockState(staff.id)).toEqual({ failedSignIns: FREE_FAILURES - 1, locked: false });

    const fresh = await createTestStaff("kam");
    const one = await attempt(fresh.id);
    await getDb().update(staffUsers).set({ failedSignIns: 0 }).where(eq(staffUsers.id, fresh.id));
    await releaseAttempt(one);
    expect(await lockState(fresh.id)).toEqual({ failedSignIns: 0, locked: false });
  });
});
