import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  partnerPasswordSchema,
  WHITE_LABEL_PASSWORD_MAX,
  whiteLabelPasswordSchema,
} from "../../server/passwords/policy";

/** Every message the schema reports for a value; [] when it is accepted. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

const partner = (value: string) => problems(partnerPasswordSchema, value);
const whiteLabel = (value: string) => problems(whiteLabelPasswordSchema, value);

/** A string of exactly `length` characters with every class the partner policy needs. */
function partnerPasswordOfLength(length: number): string {
  return "Aa1!" + "x".repeat(length - 4);
}

describe("partner API password policy (8–32, lower and upper Latin, digit, symbol)", () => {
  it("accepts 8 characters and refuses 7 with the length message", () => {
    expect(partner(partnerPasswordOfLength(8))).toEqual([]);
    expect(partner(partnerPasswordOfLength(7))).toEqual(["Password must be at least 8 characters"]);
  });

  it("accepts 32 characters and refuses 33 with the length message", () => {
    expect(partner(partnerPasswordOfLength(32))).toEqual([]);
    expect(partner(partnerPasswordOfLength(33))).toEqual(["Password must be at most 32 characters"]);
  });

  it("names each missing character class", () => {
    expect(partner("ABCDEF1!")).toEqual(["Password must contain a lower-case Latin letter"]);
    expect(partner("abcdef1!")).toEqual(["Password must contain an upper-case Latin letter"]);
    expect(partner("Abcdefg!")).toEqual(["Password must contain a digit"]);
    expect(partner("Abcdefg1")).toEqual(["Password must contain a symbol such as ! @ # $"]);
  });

  it("reports every broken rule at once", () => {
    expect(partner("abc")).toEqual([
      "Password must be at least 8 characters",
      "Password must contain an upper-case Latin letter",
      "Password must contain a digit",
      "Password must contain a symbol such as ! @ # $",
    ]);
    expect(partner("")).toHaveLength(5);
  });

  it.each([
    "!",
    "@",
    "#",
    "$",
    "%",
    "^",
    "&",
    "*",
    "(",
    ")",
    "-",
    "_",
    "+",
    "=",
    ".",
    ",",
    "?",
    "/",
    "\\",
    "~",
    "`",
    "'",
    '"',
    "[",
    "]",
    "{",
    "}",
    "|",
    ":",
    ";",
    "<",
    ">",
  ])("counts %j as the symbol", (symbol) => {
    expect(partner(`Abcdefg1${symbol}`)).toEqual([]);
  });

  it("counts a non-ASCII symbol (€, emoji) as the symbol", () => {
    expect(partner("Abcdefg1€")).toEqual([]);
    expect(partner("Abcdefg1😀")).toEqual([]);
  });

  it("does not count a space as the symbol, but allows spaces alongside one", () => {
    expect(partner("Abcd efg1")).toEqual(["Password must contain a symbol such as ! @ # $"]);
    expect(partner("Abc def1!")).toEqual([]);
  });

  it("requires Latin letters: non-Latin letters satisfy neither case rule nor the symbol rule", () => {
    expect(partner("ПАРОЛЬпароль1!")).toEqual([
      "Password must contain a lower-case Latin letter",
      "Password must contain an upper-case Latin letter",
    ]);
    expect(partner("Äbcdefg1")).toEqual([
      "Password must contain an upper-case Latin letter",
      "Password must contain a symbol such as ! @ # $",
    ]);
    // Extra non-Latin letters are allowed once the Latin ones are there.
    expect(partner("Aa1!äöüßПр")).toEqual([]);
  });

  it("requires an ASCII digit (a non-ASCII digit is neither a digit nor a symbol)", () => {
    expect(partner("Abcdefg!٣")).toEqual(["Password must contain a digit"]);
  });

  it("refuses non-strings", () => {
    expect(partnerPasswordSchema.safeParse(12345678).success).toBe(false);
    expect(partnerPasswordSchema.safeParse(undefined).success).toBe(false);
  });
});

describe("white-label API password policy (8+ with lower, upper, digit)", () => {
  it("accepts 8 characters and refuses 7 with the length message", () => {
    expect(whiteLabel("Qwerty12")).toEqual([]);
    expect(whiteLabel("Qwerty1")).toEqual(["Password must be at least 8 characters"]);
  });

  it(`accepts ${WHITE_LABEL_PASSWORD_MAX} characters and refuses ${WHITE_LABEL_PASSWORD_MAX + 1}`, () => {
    expect(WHITE_LABEL_PASSWORD_MAX).toBe(128);
    expect(whiteLabel("Qw1" + "x".repeat(125))).toEqual([]);
    expect(whiteLabel("Qw1" + "x".repeat(126))).toEqual(["Password must be at most 128 characters"]);
  });

  it("names each missing character class", () => {
    expect(whiteLabel("QWERTY123")).toEqual(["Password must contain a lower-case letter"]);
    expect(whiteLabel("qwerty123")).toEqual(["Password must contain an upper-case letter"]);
    expect(whiteLabel("Qwertyuiop")).toEqual(["Password must contain a digit"]);
  });

  it("does not require a symbol, and allows symbols and spaces", () => {
    expect(whiteLabel("Qwerty123")).toEqual([]);
    expect(whiteLabel("Qwe rty 1!@#$")).toEqual([]);
  });

  it("accepts letters of any script for the case rules", () => {
    expect(whiteLabel("Пароль123")).toEqual([]);
    expect(whiteLabel("Ärger123")).toEqual([]);
    expect(whiteLabel("ПАРОЛЬ123")).toEqual(["Password must contain a lower-case letter"]);
    expect(whiteLabel("пароль123")).toEqual(["Password must contain an upper-case letter"]);
  });

  it("reports every broken rule at once", () => {
    expect(whiteLabel("       ")).toEqual([
      "Password must be at least 8 characters",
      "Password must contain a lower-case letter",
      "Password must contain an upper-case letter",
      "Password must contain a digit",
    ]);
  });

  it("is not the partner policy: a white-label password without a symbol fails the partner rules", () => {
    expect(whiteLabel("Qwerty123")).toEqual([]);
    expect(partner("Qwerty123")).toEqual(["Password must contain a symbol such as ! @ # $"]);
  });
});

describe("both policies name a missing or mistyped password", () => {
  it.each([
    ["partner", partnerPasswordSchema],
    ["white-label", whiteLabelPasswordSchema],
  ] as const)("%s: undefined is required, a number must be a string", (_, schema) => {
    expect(problems(schema, undefined)).toEqual(["password is required"]);
    expect(problems(schema, 12345678)).toEqual(["password must be a string"]);
  });
});
