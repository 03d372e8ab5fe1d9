import { z } from "zod";

/**
 * Money is kept in minor units (bigint) and crosses the API as a decimal
 * string with two places ("12.50"): never a float. Every currency Gatehouse
 * bills in has two decimal places.
 */

/** Largest amount accepted anywhere: 1,000,000,000.00. */
const MAX_AMOUNT_MINOR = 100_000_000_000n;

const AMOUNT_PATTERN = /^(0|[1-9]\d{0,9})(\.\d{1,2})?$/;

/** "12.5" → 1250n. Returns undefined when the text is not a plain non-negative amount. */
function parseAmount(text: string): bigint | undefined {
  const trimmed = text.trim();
  if (!AMOUNT_PATTERN.test(trimmed)) return undefined;
  const [whole, fraction = ""] = trimmed.split(".");
  const minor = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, "0") || "0");
  return minor <= MAX_AMOUNT_MINOR ? minor : undefined;
}

/** Minor units to a two-decimal string, without floating point. */
export function formatMinor(minor: bigint): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const whole = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${whole}.${cents}`;
}

/**
 * An amount as the API and forms take it: a decimal string ("9.99") or a
 * number with at most two decimals (9.99), turned into minor units.
 */
export const amountSchema = (label = "Amount") =>
  z
    .union([z.string(), z.number()], { error: `${label} must be a decimal amount such as 9.99` })
    .transform((value, ctx) => {
      const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
      const minor = /e/i.test(text) ? undefined : parseAmount(text);
      if (minor === undefined) {
        ctx.addIssue({
          code: "custom",
          message: `${label} must be a decimal amount from 0 to 1,000,000,000 with at most two decimals, such as 9.99`,
        });
        return z.NEVER;
      }
      return minor;
    });

export const currencySchema = z
  .string({ error: "Currency is required" })
  .regex(/^[A-Z]{3}$/, "Currency is an ISO 4217 code such as EUR");
