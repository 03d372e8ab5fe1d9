import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import { openSecret, sealSecret } from "../crypto";

const ISSUER = "Gatehouse";
const PERIOD_SECONDS = 30;

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

const SEAL_PURPOSE = "staff-totp";

/** How a TOTP secret is stored: encrypted, never in the clear (docs/decisions/0003). */
export function sealTotpSecret(secretBase32: string): string {
  return sealSecret(SEAL_PURPOSE, secretBase32);
}

/**
 * The time step a code matches for a stored (sealed) secret, or undefined. A
 * secret that no longer opens (AUTH_SECRET changed) fails closed: an admin
 * resets the member's 2FA. Callers record the step so each code works once.
 */
export function matchStoredTotp(stored: string, code: string, now = Date.now()): number | undefined {
  const secret = openSecret(SEAL_PURPOSE, stored);
  if (secret === undefined || !/^\d{6}$/.test(code)) return undefined;
  const delta = totpFor(secret, "check").validate({ token: code, window: 1, timestamp: now });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

/** Accepts the current code and one step either side, for clock drift. */
export function checkTotp(secretBase32: string, code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totpFor(secretBase32, "check").validate({ token: code, window: 1 }) !== null;
}

export function currentTotp(secretBase32: string): string {
  return totpFor(secretBase32, "current").generate();
}

export async function totpEnrollment(secretBase32: string, email: string): Promise<{ uri: string; qrSvg: string }> {
  const uri = totpFor(secretBase32, email).toString();
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, width: 192 });
  return { uri, qrSvg };
}
