import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/api/root";
import type { ProcedureMeta } from "../../server/api/trpc";
import type { Role } from "../../server/auth/policies";
import { callerFor, createTestStaff } from "../support/staff";

/**
 * Who may call what, written out by hand: changing a procedure's roles means
 * changing this table too, and a procedure that is not listed here (or has no
 * roles at all) fails the suite.
 */
const ALL: Role[] = ["admin", "operations", "kam"];
const OPERATIONS: Role[] = ["admin", "operations"];
const ADMIN: Role[] = ["admin"];
const PARTNER_MANAGERS: Role[] = ["admin", "kam"];

const expectedRoles: Record<string, Role[]> = {
  "account.me": ALL,
  "account.security": ALL,
  "account.startTotp": ALL,
  "account.confirmTotp": ALL,
  "account.changePassword": ALL,
  "apiKey.list": PARTNER_MANAGERS,
  "apiKey.create": PARTNER_MANAGERS,
  "apiKey.revoke": PARTNER_MANAGERS,
  "audit.list": ADMIN,
  "audit.facets": ADMIN,
  "billing.get": ALL,
  "billing.credit": OPERATIONS,
  "client.list": ALL,
  "client.get": ALL,
  "client.setState": OPERATIONS,
  "client.setVerification": OPERATIONS,
  "client.revokeSession": OPERATIONS,
  "client.sendPasswordReset": OPERATIONS,
  "import.list": OPERATIONS,
  "import.get": OPERATIONS,
  "import.invalidRows": OPERATIONS,
  "import.start": OPERATIONS,
  "import.cancel": OPERATIONS,
  "client.count": ALL,
  "client.bulk": OPERATIONS,
  "client.bulkCancel": OPERATIONS,
  "client.bulkGet": OPERATIONS,
  "client.bulkList": OPERATIONS,
  "invoice.list": OPERATIONS,
  "invoice.void": OPERATIONS,
  "kyc.queue": ALL,
  "kyc.get": ALL,
  "kyc.decide": OPERATIONS,
  "outbox.list": OPERATIONS,
  "outbox.get": OPERATIONS,
  "outbox.delivery": OPERATIONS,
  "outbox.retry": OPERATIONS,
  "outbox.backlog": OPERATIONS,
  "overview.funnel": ALL,
  "partner.options": ALL,
  "partner.list": PARTNER_MANAGERS,
  "partner.get": PARTNER_MANAGERS,
  "partner.create": PARTNER_MANAGERS,
  "partner.update": PARTNER_MANAGERS,
  "partner.suspend": PARTNER_MANAGERS,
  "partner.reactivate": PARTNER_MANAGERS,
  "partner.reassign": ADMIN,
  "partner.hosts": PARTNER_MANAGERS,
  "partner.setHosts": PARTNER_MANAGERS,
  "pending.list": ALL,
  "pending.resend": OPERATIONS,
  "pending.cancel": OPERATIONS,
  "registration.create": OPERATIONS,
  "staff.list": ADMIN,
  "staff.create": ADMIN,
  "staff.requireTotp": ADMIN,
  "staff.unlock": ADMIN,
  "staff.deactivate": ADMIN,
  "staff.reactivate": ADMIN,
  "staff.resetTotp": ADMIN,
  "staff.resetPassword": ADMIN,
  "staff.changeRole": ADMIN,
  "subscription.list": OPERATIONS,
  "subscription.cancel": OPERATIONS,
  "tier.list": ALL,
  "tier.get": ALL,
  "tier.create": ALL,
  "tier.update": ALL,
  "tier.archive": ALL,
  "tier.restore": ALL,
  "tier.move": ALL,
  "webhook.list": PARTNER_MANAGERS,
  "webhook.add": PARTNER_MANAGERS,
  "webhook.update": PARTNER_MANAGERS,
  "webhook.rotate": PARTNER_MANAGERS,
  "webhook.remove": PARTNER_MANAGERS,
  "webhook.deliveries": PARTNER_MANAGERS,
  "webhook.resend": PARTNER_MANAGERS,
  "webhook.test": PARTNER_MANAGERS,
  "webhook.backlog": OPERATIONS,
};

type AnyProcedure = { _def: { meta?: Partial<ProcedureMeta> } };
// At run time a flat record keyed by the dotted path ("client.setState"), whatever the static type says.
const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
const names = [...new Set([...Object.keys(procedures), ...Object.keys(expectedRoles)])].sort();

/** The caller's function for a dotted procedure path, e.g. "client.setState". */
function callable(caller: unknown, path: string): (input: unknown) => Promise<unknown> {
  const fn = path.split(".").reduce<any>((node, key) => node?.[key], caller);
  if (typeof fn !== "function") throw new Error(`The caller has no procedure ${path}`);
  return fn;
}

/** The tRPC error code a call ends with, or "OK". Anything that is not a TRPCError is a harness bug worth seeing. */
async function outcomeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "OK";
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

describe("back-office role matrix", () => {
  const staff = {} as Record<Role, Awaited<ReturnType<typeof createTestStaff>>>;
  beforeAll(async () => {
    for (const role of ALL) staff[role] = await createTestStaff(role);
  });

  it("covers every procedure of the router", () => {
    expect(Object.keys(procedures).length).toBeGreaterThan(0);
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(expectedRoles).sort());
  });

  it.each(names)("%s declares its roles and enforces exactly them", async (name) => {
    const procedure = procedures[name];
    expect(procedure, `${name} is in the expected-roles table but not in the router`).toBeDefined();
    const declared = procedure!._def.meta?.roles;
    expect(declared, `${name} has no meta.roles: build it with procedureFor(...) or a role procedure`).toBeDefined();
    const expected = expectedRoles[name];
    expect(expected, `${name} is missing from the expected-roles table of this test`).toBeDefined();
    expect([...declared!].sort()).toEqual([...expected!].sort());

    expect(await outcomeOf(() => callable(callerFor(undefined), name)({})), `${name} without a session`).toBe(
      "UNAUTHORIZED",
    );

    for (const role of ALL) {
      const outcome = await outcomeOf(() => callable(callerFor(staff[role]), name)({}));
      if (expected!.includes(role)) {
        // Allowed: the call gets past the policy (invalid input, not found or success) and does not crash.
        expect(["UNAUTHORIZED", "FORBIDDEN", "INTERNAL_SERVER_ERROR"], `${name} as ${role}`).not.toContain(outcome);
      } else {
        expect(outcome, `${name} as ${role}`).toBe("FORBIDDEN");
      }
    }
  });
});
