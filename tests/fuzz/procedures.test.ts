import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { apiKeys } from "../../db/schema";
import { appRouter } from "../../server/api/root";
import { useApi } from "../support/api";
import { registerSubscriber, sandboxPartnerWithTier } from "../support/billing";
import { fingerprint } from "../support/fingerprint";
import { callerFor, createTestStaff } from "../support/staff";
import { failOnUnhandledRejections } from "../support/unhandled-rejections";

/**
 * Property: every back-office procedure, called as an admin (who may call
 * them all) with arbitrary input — wrong types, huge and empty values, control
 * characters, prototype-pollution keys, unknown ids — either succeeds or
 * refuses with a client error; never an internal error. Inputs draw their ids
 * from the fuzz's own partner, client, tier, key and staff member as well as at
 * random, so calls reach real records; a refused call must leave every row of
 * those (fingerprint before and after) exactly as it was. Other tests' records
 * are never named. An unhandled rejection anywhere in the run fails it.
 */

const api = useApi();
failOnUnhandledRejections();

const procedures = Object.keys(appRouter._def.procedures).sort();

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    "",
    "\u0000",
    "a\u0000b",
    "<script>alert(1)</script>",
    "'; drop table clients; --",
    "x".repeat(3000),
    "💸",
    "\ud800",
    "__proto__",
    "2024-13-45",
    "00000000-0000-4000-8000-000000000000",
  ),
);
/** Ids of the fuzz's own records, filled in before the properties run. */
const ownIds: unknown[] = [];
const ownId = fc.constantFrom(0).chain(() => fc.constantFrom(...ownIds));
const value: fc.Arbitrary<unknown> = fc.oneof(
  ownId,
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, -1, 0, 2 ** 31, Number.MAX_SAFE_INTEGER),
  fc.uuid(),
  fc.array(text, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const keys = fc.constantFrom(
  "partnerId",
  "tierId",
  "clientId",
  "invoiceId",
  "subscriptionId",
  "id",
  "staffId",
  "keyId",
  "name",
  "email",
  "reason",
  "amount",
  "initialAmount",
  "currency",
  "cursor",
  "limit",
  "q",
  "state",
  "status",
  "role",
  "code",
  "password",
  "currentPassword",
  "newPassword",
  "currentCode",
  "direction",
  "days",
  "sort",
  "note",
  "__proto__",
  "constructor",
);
const input = fc.oneof(fc.dictionary(keys, value, { maxKeys: 6 }), value);

describe("fuzzing every back-office procedure", async () => {
  const admin = await createTestStaff("admin");
  const target = await createTestStaff("operations");
  const caller = callerFor(admin) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
  let own: { partnerIds: number[]; staffIds: string[]; allowStaffFailureCount: boolean } | undefined;

  async function ownRecords() {
    if (own) return own;
    const { partner, tierId } = await sandboxPartnerWithTier();
    const client = await registerSubscriber(api, partner.id);
    const [key] = await getDb().select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.partnerId, partner.id));
    ownIds.push(partner.id, tierId, client.clientId, client.accountId, key!.id, target.id, "registration", "email");
    // A wrong current password (account.changePassword) is refused but counted towards the caller's lockout, as it must be.
    own = { partnerIds: [partner.id], staffIds: [admin.id, target.id], allowStaffFailureCount: true };
    return own;
  }

  it("the fingerprint sees a change to the fuzz's own records", async () => {
    const scope = await ownRecords();
    const before = await fingerprint(scope);
    await caller.partner!.update!({ partnerId: scope.partnerIds[0], name: `Fuzzed ${Date.now()}` });
    expect(await fingerprint(scope)).not.toEqual(before);
  });

  it.each(procedures)("%s never fails with an internal error, and a refusal changes nothing", async (name) => {
    const scope = await ownRecords();
    const [router, procedure] = name.split(".") as [string, string];
    await fc.assert(
      fc.asyncProperty(input, async (raw) => {
        const before = await fingerprint(scope);
        try {
          await caller[router]![procedure]!(raw);
        } catch (error) {
          const call = `${name}(${JSON.stringify(raw)?.slice(0, 200)})`;
          expect(error, call).toBeInstanceOf(TRPCError);
          expect((error as TRPCError).code, `${call}: ${(error as Error).message}`).not.toBe("INTERNAL_SERVER_ERROR");
          expect(await fingerprint(scope), `${call} was refused but changed the database`).toEqual(before);
        }
      }),
      { numRuns: 40 },
    );
  });
});
