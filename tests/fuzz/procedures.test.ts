import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appRouter } from "../../server/api/root";
import { callerFor, createTestStaff } from "../support/staff";

/**
 * Property: every back-office procedure, called as an admin (who may call
 * them all) with arbitrary input — wrong types, huge and empty values, control
 * characters, prototype-pollution keys, unknown ids — either succeeds or
 * refuses with a client error; never an internal error. Inputs are random, so
 * they almost never name a real record: nothing of other tests is touched.
 */

const procedures = Object.keys(appRouter._def.procedures).sort();

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("", "\u0000", "a\u0000b", "<script>alert(1)</script>", "'; drop table clients; --", "x".repeat(3000), "💸", "\ud800", "__proto__", "2024-13-45", "00000000-0000-4000-8000-000000000000"),
);
const value: fc.Arbitrary<unknown> = fc.oneof(text, fc.integer(), fc.double(), fc.constantFrom(null, true, false, -1, 0, 2 ** 31, Number.MAX_SAFE_INTEGER), fc.uuid(), fc.array(text, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }));
const keys = fc.constantFrom(
  "partnerId", "tierId", "clientId", "invoiceId", "subscriptionId", "id", "staffId", "keyId", "name", "email", "reason", "amount", "initialAmount",
  "currency", "cursor", "limit", "q", "state", "status", "role", "code", "password", "direction", "days", "sort", "note", "__proto__", "constructor",
);
const input = fc.oneof(fc.dictionary(keys, value, { maxKeys: 6 }), value);

describe("fuzzing every back-office procedure", async () => {
  const admin = await createTestStaff("admin");
  const caller = callerFor(admin) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;

  it.each(procedures)("%s never fails with an internal error", async (name) => {
    const [router, procedure] = name.split(".") as [string, string];
    await fc.assert(
      fc.asyncProperty(input, async (raw) => {
        try {
          await caller[router]![procedure]!(raw);
        } catch (error) {
          expect(error, `${name}(${JSON.stringify(raw)?.slice(0, 200)})`).toBeInstanceOf(TRPCError);
          expect((error as TRPCError).code, `${name}(${JSON.stringify(raw)?.slice(0, 200)}): ${(error as Error).message}`).not.toBe("INTERNAL_SERVER_ERROR");
        }
      }),
      { numRuns: 40 },
    );
  });
});
