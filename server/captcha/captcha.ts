import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { lt } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../db/client";
import { spentCaptchas } from "../../db/schema";

/**
 * Self-hosted proof-of-work captcha (the ALTCHA idea). The server hides a
 * random number n behind SHA-256(salt + n) and signs the hash; the browser
 * finds n by brute force, which costs a bot CPU time per registration while no
 * third party is ever called. The salt carries the expiry and the partner, and
 * is bound to the signed challenge through the hash, so neither can be edited.
 */

const CAPTCHA_ALGORITHM = "SHA-256";
/** Uniform n in [0, 100 000] from a solver counting up from 0: about 50k hashes on average. */
const DEFAULT_CAPTCHA_MAX_NUMBER = 100_000;
/** Caps the difficulty a caller may ask for, so a misconfiguration cannot lock out real browsers. */
const MAX_CAPTCHA_MAX_NUMBER = 10_000_000;
export const CAPTCHA_TTL_MS = 10 * 60 * 1000;
/**
 * Spent rows outlive their expiry by this much, so an instance whose clock runs
 * ahead cannot purge a row that a slower instance would still accept a replay for.
 */
const PURGE_MARGIN_MS = 5 * 60 * 1000;
/** A genuine token is a few hundred characters; anything far larger is refused before decoding. */
const MAX_TOKEN_LENGTH = 4096;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * The salt ends with "&" so that salt + number splits in exactly one way: without
 * it, "partner=1" + "23" and "partner=12" + "3" hash alike and a solver could
 * move digits from the number into the partner or the expiry (an ALTCHA flaw).
 */
const saltPattern = /^[0-9a-f]{24}\?expires=([0-9]{1,12})&partner=([0-9]{1,10})&$/;

export const captchaChallengeSchema = z
  .object({
    algorithm: z.literal(CAPTCHA_ALGORITHM),
    salt: z.string().regex(saltPattern).meta({
      description: "Random hex followed by the signed expiry and partner; prepend it to each candidate number.",
    }),
    challenge: hex64.meta({ description: "Hex SHA-256 of salt + the secret number." }),
    maxNumber: z.int().positive().meta({ description: "The secret number lies in [0, maxNumber]." }),
    expiresAt: z.iso.datetime().meta({ description: "After this instant the solution is refused." }),
    signature: hex64.meta({ description: "Server's HMAC of the challenge; send it back unchanged." }),
  })
  .meta({
    id: "CaptchaChallenge",
    description:
      "A proof-of-work captcha: find the number n in [0, maxNumber] with hex SHA-256(salt + n) = challenge, then send base64url(JSON {algorithm, salt, challenge, number, signature}) in the Captcha-token header.",
  });

export type CaptchaChallenge = z.infer<typeof captchaChallengeSchema>;

// What a client sends back. Extra keys (ALTCHA widgets add "took") are ignored.
const solutionSchema = z.object({
  algorithm: z.literal(CAPTCHA_ALGORITHM),
  salt: z.string().max(200),
  challenge: hex64,
  number: z.int().nonnegative(),
  signature: hex64,
});

type CaptchaFailureReason = "malformed" | "bad_signature" | "wrong_answer" | "expired" | "wrong_partner";

export type CaptchaVerification =
  { ok: true; challengeHash: string; expiresAt: Date } | { ok: false; reason: CaptchaFailureReason };

function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

function sign(secret: string, challenge: string): string {
  if (!secret) throw new Error("The captcha secret must not be empty.");
  return createHmac("sha256", secret).update(challenge).digest("hex");
}

export function createChallenge(options: {
  secret: string;
  partnerId: number;
  now?: number;
  /** The upper bound of the secret number: solving costs about half of it in hashes. */
  difficulty?: number;
}): CaptchaChallenge {
  const { secret, partnerId, now = Date.now(), difficulty = DEFAULT_CAPTCHA_MAX_NUMBER } = options;
  if (!Number.isSafeInteger(partnerId) || partnerId <= 0) throw new Error("partnerId must be a positive integer.");
  if (!Number.isSafeInteger(difficulty) || difficulty < 1 || difficulty > MAX_CAPTCHA_MAX_NUMBER) {
    throw new Error(`difficulty must be an integer between 1 and ${MAX_CAPTCHA_MAX_NUMBER}.`);
  }
  // Whole seconds in the salt, so expiresAt is derived from what is signed and never disagrees with it.
  const expires = Math.floor((now + CAPTCHA_TTL_MS) / 1000);
  const salt = `${randomBytes(12).toString("hex")}?expires=${expires}&partner=${partnerId}&`;
  const number = randomInt(0, difficulty + 1);
  const challenge = sha256Hex(salt + number);
  return {
    algorithm: CAPTCHA_ALGORITHM,
    salt,
    challenge,
    maxNumber: difficulty,
    expiresAt: new Date(expires * 1000).toISOString(),
    signature: sign(secret, challenge),
  };
}

/** Brute-forces the secret number, as a browser would. Throws if the challenge has no solution. */
export function solveChallenge(challenge: Pick<CaptchaChallenge, "salt" | "challenge" | "maxNumber">): number {
  for (let n = 0; n <= challenge.maxNumber; n++) {
    if (sha256Hex(challenge.salt + n) === challenge.challenge) return n;
  }
  throw new Error("The captcha challenge has no solution in [0, maxNumber].");
}

/** The Captcha-token header value for a solved challenge. */
export function encodeSolution(
  challenge: Pick<CaptchaChallenge, "algorithm" | "salt" | "challenge" | "signature">,
  number: number,
): string {
  const payload = {
    algorithm: challenge.algorithm,
    salt: challenge.salt,
    challenge: challenge.challenge,
    number,
    signature: challenge.signature,
  };
  return Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
}

function decodeToken(token: unknown): z.infer<typeof solutionSchema> | undefined {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  // Node's decoder skips characters outside the alphabet; checking first keeps garbage from half-decoding.
  // Standard base64 is accepted too, since ALTCHA widgets send it.
  if (!/^[A-Za-z0-9_\-+/]+={0,2}$/.test(token)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const parsed = solutionSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Checks a Captcha-token for a partner. Never throws on a bad token: every
 * malformed input is a "malformed" refusal. A success still has to be spent
 * with spendCaptcha, or the same token could pass any number of times.
 */
export function verifyCaptchaToken(options: {
  token: string | null | undefined;
  secret: string;
  partnerId: number;
  now?: number;
}): CaptchaVerification {
  const { token, secret, partnerId, now = Date.now() } = options;
  const solution = decodeToken(token);
  if (!solution) return { ok: false, reason: "malformed" };
  const salt = saltPattern.exec(solution.salt);
  if (!salt) return { ok: false, reason: "malformed" };

  const expected = Buffer.from(sign(secret, solution.challenge), "hex");
  const given = Buffer.from(solution.signature, "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: "bad_signature" };

  // Only once the salt hashes to the signed challenge can its expiry and partner be believed.
  if (sha256Hex(solution.salt + solution.number) !== solution.challenge) return { ok: false, reason: "wrong_answer" };

  const expiresAt = new Date(Number(salt[1]) * 1000);
  if (now >= expiresAt.getTime()) return { ok: false, reason: "expired" };
  if (Number(salt[2]) !== partnerId) return { ok: false, reason: "wrong_partner" };

  return { ok: true, challengeHash: sha256Hex(solution.challenge), expiresAt };
}

/**
 * Marks a verified solution as used. Returns false when it was already spent
 * (a replay). The primary key makes this safe across concurrent requests and instances.
 */
export async function spendCaptcha(db: Executor, challengeHash: string, expiresAt: Date): Promise<boolean> {
  const rows = await db
    .insert(spentCaptchas)
    .values({ challengeHash, expiresAt })
    .onConflictDoNothing({ target: spentCaptchas.challengeHash })
    .returning({ challengeHash: spentCaptchas.challengeHash });
  return rows.length === 1;
}

/** Deletes spent solutions that verification would refuse as expired anyway. Returns how many went. */
export async function purgeSpentCaptchas(db: Executor, now: Date = new Date()): Promise<number> {
  const result = await db
    .delete(spentCaptchas)
    .where(lt(spentCaptchas.expiresAt, new Date(now.getTime() - PURGE_MARGIN_MS)));
  return result.rowCount ?? 0;
}
