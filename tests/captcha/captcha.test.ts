import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { closeDb, getDb } from "../../db/client";
import { spentCaptchas } from "../../db/schema";
import {
  CAPTCHA_TTL_MS,
  captchaChallengeSchema,
  createChallenge,
  encodeSolution,
  purgeSpentCaptchas,
  solveChallenge,
  spendCaptcha,
  verifyCaptchaToken,
  type CaptchaChallenge,
} from "../../server/captcha/captcha";

const secret = "captcha-test-secret-0123456789abcdef";
const partnerId = 4242;
const now = Date.UTC(2030, 0, 1, 12, 0, 0);

// A small search space keeps the suite fast; the default difficulty is covered once.
function solvedToken(overrides: Partial<CaptchaChallenge> = {}, number?: number) {
  const challenge = createChallenge({ secret, partnerId, now, difficulty: 1000 });
  const answer = number ?? solveChallenge(challenge);
  return { challenge, answer, token: encodeSolution({ ...challenge, ...overrides }, answer) };
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function verify(token: string | null | undefined, options: { now?: number; partnerId?: number; secret?: string } = {}) {
  return verifyCaptchaToken({
    token,
    secret: options.secret ?? secret,
    partnerId: options.partnerId ?? partnerId,
    now: options.now ?? now,
  });
}

afterAll(async () => {
  await closeDb();
});

describe("createChallenge", () => {
  it("issues a challenge matching the published schema, expiring in ten minutes", () => {
    const challenge = createChallenge({ secret, partnerId, now });
    expect(captchaChallengeSchema.parse(challenge)).toEqual(challenge);
    expect(challenge.maxNumber).toBe(100_000);
    expect(Date.parse(challenge.expiresAt)).toBe(now + CAPTCHA_TTL_MS);
    expect(challenge.salt).toContain(`partner=${partnerId}&`);
  });

  it("hides a different number behind each challenge", () => {
    const a = createChallenge({ secret, partnerId, now });
    const b = createChallenge({ secret, partnerId, now });
    expect(a.salt).not.toBe(b.salt);
    expect(a.challenge).not.toBe(b.challenge);
  });

  it("refuses a difficulty outside the allowed range", () => {
    expect(() => createChallenge({ secret, partnerId, difficulty: 0 })).toThrow();
    expect(() => createChallenge({ secret, partnerId, difficulty: 1.5 })).toThrow();
    expect(() => createChallenge({ secret, partnerId, difficulty: 1e9 })).toThrow();
  });
});

describe("verifyCaptchaToken", () => {
  it("accepts a solved token at the default difficulty and names the challenge to spend", () => {
    const challenge = createChallenge({ secret, partnerId, now });
    const answer = solveChallenge(challenge);
    expect(answer).toBeGreaterThanOrEqual(0);
    expect(answer).toBeLessThanOrEqual(challenge.maxNumber);
    const result = verify(encodeSolution(challenge, answer));
    expect(result).toEqual({
      ok: true,
      challengeHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      expiresAt: new Date(challenge.expiresAt),
    });
  });

  it("gives the same challenge hash for the same challenge, so a replay collides", () => {
    const { token } = solvedToken();
    const first = verify(token);
    const second = verify(token);
    expect(first.ok && second.ok && first.challengeHash === second.challengeHash).toBe(true);
  });

  it("accepts standard base64 as ALTCHA widgets send it", () => {
    const { token } = solvedToken();
    const standard = Buffer.from(token, "base64url").toString("base64");
    expect(verify(standard).ok).toBe(true);
  });

  it("refuses a tampered signature", () => {
    const { challenge, answer } = solvedToken();
    const flipped = (challenge.signature[0] === "0" ? "1" : "0") + challenge.signature.slice(1);
    expect(verify(encodeSolution({ ...challenge, signature: flipped }, answer))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("refuses a challenge signed with another secret", () => {
    const { token } = solvedToken();
    expect(verify(token, { secret: "another-secret-entirely-0123456789" })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("refuses a self-made challenge whose signature does not match", () => {
    const salt = `${"ab".repeat(12)}?expires=${Math.floor(now / 1000) + 600}&partner=${partnerId}&`;
    const forged = { algorithm: "SHA-256" as const, salt, challenge: "0".repeat(64), signature: "f".repeat(64) };
    expect(verify(encodeSolution(forged, 1))).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a wrong number", () => {
    const { challenge, answer } = solvedToken();
    expect(verify(encodeSolution(challenge, answer + 1))).toEqual({ ok: false, reason: "wrong_answer" });
  });

  it("refuses a salt edited to extend the expiry or change the partner", () => {
    const { challenge, answer } = solvedToken();
    const later = challenge.salt.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 3600}`);
    expect(verify(encodeSolution({ ...challenge, salt: later }, answer))).toEqual({
      ok: false,
      reason: "wrong_answer",
    });
    const other = challenge.salt.replace(`partner=${partnerId}`, "partner=1");
    expect(verify(encodeSolution({ ...challenge, salt: other }, answer), { partnerId: 1 })).toEqual({
      ok: false,
      reason: "wrong_answer",
    });
  });

  it("refuses digits moved from the number into the salt", () => {
    let issued = solvedToken();
    while (issued.answer < 10) issued = solvedToken();
    const digits = String(issued.answer);
    const spliced = { ...issued.challenge, salt: issued.challenge.salt + digits[0] };
    expect(verify(encodeSolution(spliced, Number(digits.slice(1)))).ok).toBe(false);
  });

  it("refuses an expired token", () => {
    const { token } = solvedToken();
    expect(verify(token, { now: now + CAPTCHA_TTL_MS - 1 }).ok).toBe(true);
    expect(verify(token, { now: now + CAPTCHA_TTL_MS })).toEqual({ ok: false, reason: "expired" });
    expect(verify(token, { now: now + 24 * 3600 * 1000 })).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a token issued for another partner", () => {
    const { token } = solvedToken();
    expect(verify(token, { partnerId: partnerId + 1 })).toEqual({ ok: false, reason: "wrong_partner" });
  });

  it.each<[string, string | null | undefined]>([
    ["undefined", undefined],
    ["null", null],
    ["empty", ""],
    ["whitespace", "   "],
    ["plain words", "not a captcha token"],
    ["non-base64 characters", "!!!***###"],
    ["a huge string", "A".repeat(1_000_000)],
    ["a huge valid-looking payload", encodeJson({ salt: "x".repeat(10_000) })],
    ["base64 of non-JSON", Buffer.from("hello world").toString("base64url")],
    ["base64 of invalid UTF-8", Buffer.from([0xff, 0xfe, 0xfd, 0x00]).toString("base64url")],
    ["JSON null", encodeJson(null)],
    ["a JSON array", encodeJson([1, 2, 3])],
    ["a JSON number", encodeJson(42)],
    ["a JSON string", encodeJson("token")],
    ["an empty object", encodeJson({})],
    ["a prototype-polluting object", Buffer.from('{"__proto__":{"ok":true}}').toString("base64url")],
  ])("refuses %s as malformed", (_, token) => {
    expect(verify(token)).toEqual({ ok: false, reason: "malformed" });
  });

  it.each<[string, Record<string, unknown>]>([
    ["number as a string", { number: "12" }],
    ["negative number", { number: -1 }],
    ["fractional number", { number: 1.5 }],
    ["unsafe integer", { number: 2 ** 60 }],
    ["another algorithm", { algorithm: "SHA-1" }],
    ["upper-case hex challenge", { challenge: "A".repeat(64) }],
    ["short signature", { signature: "ab" }],
    ["signature as a number", { signature: 123 }],
    ["salt as an object", { salt: { expires: 1 } }],
    ["salt in another format", { salt: "abc" }],
    [
      "salt with a duplicated partner",
      { salt: `${"ab".repeat(12)}?expires=9999999999&partner=1&partner=${partnerId}&` },
    ],
    ["missing signature", { signature: undefined }],
  ])("refuses a payload with %s as malformed", (_, change) => {
    const { challenge, answer } = solvedToken();
    const payload = {
      algorithm: challenge.algorithm,
      salt: challenge.salt,
      challenge: challenge.challenge,
      number: answer,
      signature: challenge.signature,
      ...change,
    };
    expect(verify(encodeJson(payload))).toEqual({ ok: false, reason: "malformed" });
  });

  it("never throws on random input", () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(1 + (i % 300));
      const candidates = [bytes.toString("base64url"), bytes.toString("latin1"), bytes.toString("hex")];
      for (const token of candidates) {
        expect(verify(token).ok).toBe(false);
      }
    }
  });
});

describe("spendCaptcha", () => {
  const randomHash = () => randomBytes(32).toString("hex");

  it("spends a solution once and refuses the replay", async () => {
    const db = getDb();
    const hash = randomHash();
    const expiresAt = new Date(Date.now() + CAPTCHA_TTL_MS);
    expect(await spendCaptcha(db, hash, expiresAt)).toBe(true);
    expect(await spendCaptcha(db, hash, expiresAt)).toBe(false);
    expect(await spendCaptcha(db, randomHash(), expiresAt)).toBe(true);
  });

  it("lets exactly one of concurrent spends win", async () => {
    const db = getDb();
    const hash = randomHash();
    const expiresAt = new Date(Date.now() + CAPTCHA_TTL_MS);
    const results = await Promise.all(Array.from({ length: 8 }, () => spendCaptcha(db, hash, expiresAt)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("purges long-expired solutions and keeps live ones", async () => {
    const db = getDb();
    const expired = randomHash();
    const live = randomHash();
    await spendCaptcha(db, expired, new Date(Date.now() - 24 * 3600 * 1000));
    await spendCaptcha(db, live, new Date(Date.now() + CAPTCHA_TTL_MS));
    expect(await purgeSpentCaptchas(db)).toBeGreaterThanOrEqual(1);
    const remaining = async (hash: string) =>
      (
        await db
          .select({ h: spentCaptchas.challengeHash })
          .from(spentCaptchas)
          .where(eq(spentCaptchas.challengeHash, hash))
      ).length;
    expect(await remaining(expired)).toBe(0);
    expect(await remaining(live)).toBe(1);
  });
});
