import { randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients, pendingRegistrations } from "../../db/schema";
import { AppError } from "../../server/errors";
import { DAILY_SEND_CAP, MAX_CODE_ATTEMPTS, RESEND_COOLDOWN_SECONDS } from "../../server/registration/code-lifecycle";
import {
  LOGIN_FAILURES_PER_IP,
  LOGIN_FAILURES_PER_WINDOW,
  LOGIN_WINDOW_SECONDS,
  passwordLogin,
} from "../../server/registration/login";
import { MAX_LOCK_SECONDS } from "../../server/staff/lockout";
import { signInStaff } from "../../server/staff/sign-in";
import { WHITE_LABEL_ACCESS_TTL_SECONDS } from "../../server/tokens/access-token";
import {
  codeIn,
  createTestPartner,
  latestEmailTo,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type TestPartner,
} from "../support/api";
import { anonymousCaller } from "../support/caller";
import { createTestStaff } from "../support/staff";

/**
 * Limits and locks must hold against a guesser without letting a stranger
 * lock the real owner out for good: each one ends by itself, and the owner's
 * right secret works again afterwards. Time is moved with the services' clock
 * parameter, or, for the confirmation code whose service reads the clock
 * itself, by moving the stored send times back (as time passing would).
 */

const api = useApi();
const freshIp = () => `2001:db8:${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}::2`;

async function registeredClient(partner: TestPartner) {
  const body = whiteLabelBody();
  const res = await api.post("/api/public/register", body, { partnerId: String(partner.id) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { email: body.email, password: body.password, clientId: res.body.clientId as string };
}

function signIn(partner: TestPartner, email: string, password: string, ip: string, now: Date) {
  return passwordLogin(anonymousCaller({ ip }), {
    partner,
    email,
    password,
    flavour: "white_label",
    accessTtlSeconds: WHITE_LABEL_ACCESS_TTL_SECONDS,
    now,
  });
}

async function refusal(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("client password limit ends by itself", () => {
  it(`after ${LOGIN_FAILURES_PER_WINDOW} failures the account waits the Retry-After it was given, then the right password works`, async () => {
    const partner = await createTestPartner();
    const client = await registeredClient(partner);
    const ip = freshIp();
    const t0 = new Date();
    for (let i = 0; i < LOGIN_FAILURES_PER_WINDOW; i++)
      expect((await refusal(signIn(partner, client.email, `Wrong-${i}-Password`, ip, t0))).code).toBe(
        "invalid_credentials",
      );

    const locked = await refusal(signIn(partner, client.email, client.password, freshIp(), t0));
    expect(locked.code).toBe("too_many_attempts");
    const wait = locked.retryAfterSeconds!;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(LOGIN_WINDOW_SECONDS);

    // One second before the promised time it still holds; at that time the owner gets in.
    expect(
      (
        await refusal(
          signIn(partner, client.email, client.password, freshIp(), new Date(t0.getTime() + (wait - 1) * 1000 - 999)),
        )
      ).code,
    ).toBe("too_many_attempts");
    const tokens = await signIn(
      partner,
      client.email,
      client.password,
      freshIp(),
      new Date(t0.getTime() + wait * 1000),
    );
    expect(tokens.clientId).toBe(client.clientId);
  });

  it(`the per-address limit (${LOGIN_FAILURES_PER_IP} failures across accounts) holds back only that address, and only until its window ends`, async () => {
    const partner = await createTestPartner();
    const victim = await registeredClient(partner);
    const stuffer = freshIp();
    const t0 = new Date();
    // Credential stuffing: one try per address, all from one IP.
    // Every failure costs a real password hash, so this test takes a while on a busy machine.
    for (let i = 0; i < LOGIN_FAILURES_PER_IP; i++)
      await refusal(signIn(partner, uniqueEmail("stuffed"), "Guess-Password-1", stuffer, t0));

    const fromStuffer = await refusal(signIn(partner, victim.email, victim.password, stuffer, t0));
    expect(fromStuffer.code).toBe("too_many_attempts");
    // The victim's own account was never tried, so from their own address they sign in at once.
    expect((await signIn(partner, victim.email, victim.password, freshIp(), t0)).clientId).toBe(victim.clientId);
    // And the stuffer's address is free again once the window has passed.
    const later = new Date(t0.getTime() + fromStuffer.retryAfterSeconds! * 1000);
    expect((await signIn(partner, victim.email, victim.password, stuffer, later)).clientId).toBe(victim.clientId);
  }, 180_000);
});

describe("staff lock ends by itself", () => {
  it("the first lock lasts a minute: refused just before, the right password works just after", async () => {
    const staff = await createTestStaff("operations");
    const t0 = Date.now();
    for (let i = 0; i < 5; i++)
      expect(await signInStaff(anonymousCaller(), { email: staff.email, password: "not the password" }, t0)).toEqual({
        ok: false,
        reason: "invalid",
      });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password }, t0 + 59_000),
    ).toMatchObject({ ok: false, reason: "invalid", lockedForSeconds: 1 });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password }, t0 + 60_001),
    ).toMatchObject({ ok: true, staff: { id: staff.id } });
  });

  it(`however many failures a stranger piles up, the lock never exceeds ${MAX_LOCK_SECONDS / 60} minutes and the owner then gets in`, async () => {
    const staff = await createTestStaff("kam");
    let clock = Date.now();
    for (let i = 0; i < 5; i++)
      await signInStaff(anonymousCaller(), { email: staff.email, password: `guess ${i}` }, clock);
    // Each further failure is sent the moment the previous lock ends: waits of 1, 2, 4 … minutes, then capped.
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const probe = await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password }, clock);
      expect(probe).toMatchObject({ ok: false, reason: "invalid", lockedForSeconds: expect.any(Number) });
      waits.push(!probe.ok ? probe.lockedForSeconds! : 0);
      clock += waits.at(-1)! * 1000 + 1;
      expect(await signInStaff(anonymousCaller(), { email: staff.email, password: `late guess ${i}` }, clock)).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    expect(waits).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    const lastLock = await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password }, clock);
    expect(lastLock).toMatchObject({ ok: false, reason: "invalid", lockedForSeconds: MAX_LOCK_SECONDS });
    clock += MAX_LOCK_SECONDS * 1000 + 1;
    expect(await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password }, clock)).toMatchObject(
      { ok: true },
    );
  });
});

describe("confirmation codes: a locked registration can start again, and guesses per day are bounded", () => {
  const stepOne = (partnerId: number, email: string) =>
    api.post(
      "/reg/user",
      { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD },
      { partnerId: String(partnerId) },
    );
  const stepTwo = (partnerId: number, email: string, code: string) =>
    api.post(
      "/reg/user",
      { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: code },
      { partnerId: String(partnerId) },
    );
  const rowsOf = (partnerId: number, email: string) =>
    and(eq(pendingRegistrations.partnerId, partnerId), sql`lower(${pendingRegistrations.email}) = lower(${email})`);
  /** Time passes: every send to the address happened `seconds` earlier than recorded. */
  const passTime = (partnerId: number, email: string, seconds: number) =>
    getDb()
      .update(pendingRegistrations)
      .set({
        lastSentAt: sql`${pendingRegistrations.lastSentAt} - make_interval(secs => ${seconds})`,
        createdAt: sql`${pendingRegistrations.createdAt} - make_interval(secs => ${seconds})`,
      })
      .where(rowsOf(partnerId, email));
  const emailedCode = async (email: string) => codeIn((await latestEmailTo(email))?.text);
  const wrongFor = (code: string, i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");

  it("after the lock, repeating step 1 once the cooldown has passed sends a fresh code, and that code registers the owner", async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail("locked");
    expect((await stepOne(partner.id, email)).status).toBe(202);
    const first = await emailedCode(email);
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) await stepTwo(partner.id, email, wrongFor(first, i));
    expect((await stepTwo(partner.id, email, first)).body.error.code).toBe("confirmation_locked");

    expect((await stepOne(partner.id, email)).body.error.code).toBe("resend_cooldown");
    await passTime(partner.id, email, RESEND_COOLDOWN_SECONDS + 1);
    expect((await stepOne(partner.id, email)).status).toBe(202);
    const fresh = await emailedCode(email);
    const done = await stepTwo(partner.id, email, fresh);
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(
      await getDb()
        .select({ id: clients.id })
        .from(clients)
        .where(and(eq(clients.partnerId, partner.id), sql`lower(${clients.email}) = lower(${email})`)),
    ).toHaveLength(1);
  });

  it(`a stranger gets at most ${DAILY_SEND_CAP} codes × ${MAX_CODE_ATTEMPTS} guesses = ${DAILY_SEND_CAP * MAX_CODE_ATTEMPTS} guesses a day at one address, and the owner can start again the next day`, async () => {
    const partner = await createTestPartner();
    const email = uniqueEmail("guessed");
    let checked = 0;
    for (let send = 0; send < DAILY_SEND_CAP; send++) {
      expect((await stepOne(partner.id, email)).status, `send ${send + 1}`).toBe(202);
      const code = await emailedCode(email);
      for (let i = 0; i < MAX_CODE_ATTEMPTS + 2; i++) {
        const res = await stepTwo(partner.id, email, wrongFor(code, i));
        if (res.body.error.code === "confirmation_code_invalid") checked++;
        else expect(res.body.error.code).toBe("confirmation_locked");
      }
      await passTime(partner.id, email, RESEND_COOLDOWN_SECONDS + 1);
    }
    const capped = await stepOne(partner.id, email);
    expect(capped.status).toBe(429);
    expect(capped.body.error.code).toBe("resend_limit_reached");
    expect(Number(capped.headers.get("retry-after"))).toBeLessThanOrEqual(24 * 3600);
    // Every code was compared at most MAX_CODE_ATTEMPTS times: 4 answered "invalid", the 5th locked it.
    expect(checked).toBe(DAILY_SEND_CAP * (MAX_CODE_ATTEMPTS - 1));
    const attempts = await getDb()
      .select({ attempts: pendingRegistrations.attempts, state: pendingRegistrations.state })
      .from(pendingRegistrations)
      .where(rowsOf(partner.id, email));
    expect(attempts).toEqual(
      Array.from({ length: DAILY_SEND_CAP }, () => ({ attempts: MAX_CODE_ATTEMPTS, state: "locked" })),
    );

    await passTime(partner.id, email, 24 * 3600);
    expect((await stepOne(partner.id, email)).status).toBe(202);
    expect((await stepTwo(partner.id, email, await emailedCode(email))).status).toBe(201);
  }, 180_000);
});
