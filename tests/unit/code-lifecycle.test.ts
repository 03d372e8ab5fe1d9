import { describe, expect, it } from "vitest";
import {
  canSendCode,
  checkCode,
  CODE_TTL_SECONDS,
  codeExpiry,
  DAILY_SEND_CAP,
  MAX_CODE_ATTEMPTS,
  RESEND_COOLDOWN_SECONDS,
  sendHistoryOf,
  type CodeHolder,
} from "../../server/registration/code-lifecycle";

const now = new Date("2025-06-01T12:00:00.000Z");
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const SECOND = 1000;
const HOUR = 60 * 60 * SECOND;

function pending(overrides: Partial<CodeHolder> = {}): CodeHolder {
  return { state: "pending", attempts: 0, expiresAt: at(5 * 60 * SECOND), ...overrides };
}

describe("checkCode", () => {
  it("the rules use the documented numbers", () => {
    expect(MAX_CODE_ATTEMPTS).toBe(5);
    expect(CODE_TTL_SECONDS).toBe(600);
    expect(codeExpiry(now)).toEqual(at(10 * 60 * SECOND));
  });

  it("accepts the right code on a pending, unexpired confirmation", () => {
    expect(checkCode(pending(), true, now)).toEqual({ outcome: "accepted" });
    expect(checkCode(pending({ attempts: 4 }), true, now)).toEqual({ outcome: "accepted" });
  });

  it("counts a wrong code and says how many attempts remain", () => {
    expect(checkCode(pending(), false, now)).toEqual({
      outcome: "invalid",
      attempts: 1,
      remaining: 4,
      state: "pending",
    });
    expect(checkCode(pending({ attempts: 3 }), false, now)).toEqual({
      outcome: "invalid",
      attempts: 4,
      remaining: 1,
      state: "pending",
    });
  });

  it("locks on the 5th wrong code", () => {
    expect(checkCode(pending({ attempts: 4 }), false, now)).toEqual({
      outcome: "locked",
      attempts: 5,
      state: "locked",
    });
  });

  it("walks five wrong codes from a fresh confirmation to locked", () => {
    let holder = pending();
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = checkCode(holder, false, now);
      outcomes.push(result.outcome);
      if (result.outcome === "invalid" || result.outcome === "locked")
        holder = { ...holder, attempts: result.attempts, state: result.state };
    }
    expect(outcomes).toEqual(["invalid", "invalid", "invalid", "invalid", "locked"]);
    expect(holder).toMatchObject({ state: "locked", attempts: 5 });
  });

  it("a locked confirmation stays locked, even with the right code", () => {
    const locked = pending({ state: "locked", attempts: 5 });
    expect(checkCode(locked, true, now)).toEqual({ outcome: "locked", attempts: 5, state: "locked" });
    expect(checkCode(locked, false, now)).toEqual({ outcome: "locked", attempts: 5, state: "locked" });
  });

  it("expires exactly at expiresAt, even with the right code, and works 1 ms before", () => {
    const holder = pending({ expiresAt: now });
    expect(checkCode(holder, true, now)).toEqual({ outcome: "expired", state: "expired" });
    expect(checkCode(holder, true, at(-1))).toEqual({ outcome: "accepted" });
    expect(checkCode(holder, true, at(1))).toEqual({ outcome: "expired", state: "expired" });
  });

  it("an expired code does not count as a wrong attempt", () => {
    expect(checkCode(pending({ expiresAt: now, attempts: 4 }), false, now)).toEqual({
      outcome: "expired",
      state: "expired",
    });
    expect(checkCode(pending({ state: "expired", attempts: 2 }), false, now)).toEqual({
      outcome: "expired",
      state: "expired",
    });
  });

  it("confirmed and cancelled confirmations cannot be used again", () => {
    for (const state of ["confirmed", "cancelled"] as const) {
      expect(checkCode(pending({ state }), true, now)).toEqual({ outcome: "unusable" });
      expect(checkCode(pending({ state }), false, now)).toEqual({ outcome: "unusable" });
    }
  });
});

describe("canSendCode", () => {
  it("uses a 60-second cooldown and a daily cap of 5", () => {
    expect(RESEND_COOLDOWN_SECONDS).toBe(60);
    expect(DAILY_SEND_CAP).toBe(5);
  });

  it("allows the first send", () => {
    expect(canSendCode({ sendsInLastDay: 0 }, now)).toEqual({ allowed: true });
  });

  it("refuses a resend inside the cooldown with the seconds left, rounded up and never 0", () => {
    const history = (elapsedMs: number) => ({
      lastSentAt: at(-elapsedMs),
      sendsInLastDay: 1,
      firstSendInLastDay: at(-elapsedMs),
    });
    expect(canSendCode(history(0), now)).toEqual({ allowed: false, reason: "cooldown", retryAfterSeconds: 60 });
    expect(canSendCode(history(0.5 * SECOND), now)).toEqual({
      allowed: false,
      reason: "cooldown",
      retryAfterSeconds: 60,
    });
    expect(canSendCode(history(30 * SECOND), now)).toEqual({
      allowed: false,
      reason: "cooldown",
      retryAfterSeconds: 30,
    });
    expect(canSendCode(history(59 * SECOND), now)).toEqual({
      allowed: false,
      reason: "cooldown",
      retryAfterSeconds: 1,
    });
    expect(canSendCode(history(59.5 * SECOND), now)).toEqual({
      allowed: false,
      reason: "cooldown",
      retryAfterSeconds: 1,
    });
    expect(canSendCode(history(59.999 * SECOND), now)).toEqual({
      allowed: false,
      reason: "cooldown",
      retryAfterSeconds: 1,
    });
  });

  it("allows a resend once exactly 60 seconds have passed", () => {
    expect(
      canSendCode({ lastSentAt: at(-60 * SECOND), sendsInLastDay: 1, firstSendInLastDay: at(-60 * SECOND) }, now),
    ).toEqual({ allowed: true });
    expect(
      canSendCode({ lastSentAt: at(-61 * SECOND), sendsInLastDay: 1, firstSendInLastDay: at(-61 * SECOND) }, now),
    ).toEqual({ allowed: true });
  });

  it("allows the 5th send of the day and refuses the 6th until the first send is 24 h old", () => {
    const first = at(-3 * HOUR);
    expect(
      canSendCode(
        { lastSentAt: at(-10 * 60 * SECOND), sendsInLastDay: DAILY_SEND_CAP - 1, firstSendInLastDay: first },
        now,
      ),
    ).toEqual({ allowed: true });
    expect(
      canSendCode(
        { lastSentAt: at(-10 * 60 * SECOND), sendsInLastDay: DAILY_SEND_CAP, firstSendInLastDay: first },
        now,
      ),
    ).toEqual({
      allowed: false,
      reason: "daily_cap",
      retryAfterSeconds: 21 * 60 * 60,
    });
  });

  it("the daily cap's Retry-After rounds up and is never 0", () => {
    const history = (firstAgoMs: number) => ({
      lastSentAt: at(-2 * HOUR),
      sendsInLastDay: 5,
      firstSendInLastDay: at(-firstAgoMs),
    });
    expect(canSendCode(history(24 * HOUR - 1500), now)).toEqual({
      allowed: false,
      reason: "daily_cap",
      retryAfterSeconds: 2,
    });
    expect(canSendCode(history(24 * HOUR - 1), now)).toEqual({
      allowed: false,
      reason: "daily_cap",
      retryAfterSeconds: 1,
    });
    // The caller counts only sends in the last 24 h; if it still reports 5, the answer is at least 1 s.
    expect(canSendCode(history(24 * HOUR), now)).toEqual({ allowed: false, reason: "daily_cap", retryAfterSeconds: 1 });
  });

  it("reports the cooldown first when both limits apply", () => {
    expect(
      canSendCode({ lastSentAt: at(-10 * SECOND), sendsInLastDay: 5, firstSendInLastDay: at(-HOUR) }, now),
    ).toEqual({
      allowed: false,
      reason: "cooldown",
      retryAfterSeconds: 50,
    });
  });
});

describe("sendHistoryOf", () => {
  const sent = (
    createdAgo: number,
    lastSentAgo: number,
    resendCount: number,
    state: CodeHolder["state"] = "pending",
  ) => ({ state, createdAt: at(-createdAgo), lastSentAt: at(-lastSentAgo), resendCount });

  it("counts every send of the last 24 hours across the address's confirmations, whatever became of them", () => {
    const history = sendHistoryOf(
      [sent(3 * HOUR, 2 * HOUR, 1, "locked"), sent(HOUR, 30 * SECOND, 0), sent(25 * HOUR, 25 * HOUR, 4, "expired")],
      now,
    );
    expect(history).toEqual({ lastSentAt: at(-30 * SECOND), sendsInLastDay: 3, firstSendInLastDay: at(-3 * HOUR) });
    expect(canSendCode(history, now)).toMatchObject({ allowed: false, reason: "cooldown" });
  });

  it("lets a confirmed one count toward the cap without holding back a new start", () => {
    const history = sendHistoryOf([sent(HOUR, 10 * SECOND, 2, "confirmed")], now);
    expect(history).toEqual({ lastSentAt: undefined, sendsInLastDay: 3, firstSendInLastDay: at(-HOUR) });
    expect(canSendCode(history, now)).toEqual({ allowed: true });
    expect(sendHistoryOf([], now)).toEqual({ lastSentAt: undefined, sendsInLastDay: 0, firstSendInLastDay: undefined });
  });
});
