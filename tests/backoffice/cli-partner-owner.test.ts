import { eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { partners } from "../../db/schema";
import { partnerCreate } from "../../server/cli/commands";
import { deactivateStaff } from "../../server/staff/admin";
import { staffCaller } from "../support/caller";
import { createTestStaff } from "../support/staff";

async function ownerOf(partnerId: number) {
  const [row] = await getDb().select({ owner: partners.ownerStaffId }).from(partners).where(eq(partners.id, partnerId));
  return row?.owner;
}

async function partnersNamed(name: string) {
  return getDb().select({ id: partners.id }).from(partners).where(eq(partners.name, name));
}

describe("gatehouse partner create --owner", () => {
  it("makes the named key account manager the owner, whatever the email's case", async () => {
    const kam = await createTestStaff("kam");
    const result = await partnerCreate({ name: "Owned by CLI", owner: kam.email.toUpperCase() });
    expect(await ownerOf(result.json!.partnerId as number)).toBe(kam.id);
  });

  it("refuses staff who are not active KAMs, and creates nothing", async () => {
    const operations = await createTestStaff("operations");
    const admin = await createTestStaff("admin");
    const retired = await createTestStaff("kam");
    await deactivateStaff(await staffCaller(admin), { staffId: retired.id });
    const name = `Not created ${randomUUID()}`;
    for (const owner of [operations.email, retired.email, "nobody@example.test"]) {
      await expect(partnerCreate({ name, owner })).rejects.toThrow(/no active key account manager/);
    }
    await expect(partnerCreate({ name, owner: "not-an-email" })).rejects.toThrow(/--owner takes the email/);
    expect(await partnersNamed(name)).toEqual([]);
  });
});
