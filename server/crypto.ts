import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from "node:crypto";
import { config } from "../env";

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Keyed hash for low-entropy secrets (6-digit codes): useless offline without AUTH_SECRET. */
export function secretHmac(purpose: string, value: string): string {
  return createHmac("sha256", config().authSecret).update(`${purpose}\u0000${value}`).digest("hex");
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Six random digits from the CSPRNG, leading zeros kept. */
export function randomDigits(length = 6): string {
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, "0");
}

const SEALED_PREFIX = "v1.";

function sealingKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", config().authSecret, "gatehouse/seal", purpose, 32));
}

/**
 * Encrypts a secret the server must read back later (TOTP seeds) with
 * AES-256-GCM under a key derived from AUTH_SECRET for this purpose: a
 * database dump alone does not reveal it. Format: `v1.<iv>.<ciphertext>.<tag>`.
 */
export function sealSecret(purpose: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return SEALED_PREFIX + [iv, body, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(".");
}

/** The plaintext of `sealSecret`, or undefined when it was sealed under another key or tampered with. */
export function openSecret(purpose: string, sealed: string): string | undefined {
  if (!sealed.startsWith(SEALED_PREFIX)) return undefined;
  const [iv, body, tag] = sealed
    .slice(SEALED_PREFIX.length)
    .split(".")
    .map((part) => Buffer.from(part, "base64url"));
  if (!iv || !body || !tag || iv.length !== 12 || tag.length !== 16) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(purpose), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
