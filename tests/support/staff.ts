import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { createCaller } from "../../server/api/root";
import { trpcContext } from "../../server/api/trpc";
import type { StaffSession } from "../../server/auth/session";
import { getDb } from "../../db/client";
import { callerAs, systemCaller } from "../../server/caller";
import { createStaffSchema } from "../../server/staff/schemas";
import { startStaffSession } from "../../server/staff/sessions";
import { createStaff } from "../../server/staff/staff";

export type TestRole = StaffSession["role"];

/** A staff member of the test's own, signed in (with a session row of their own) as the session layer would present them. */
export async function createTestStaff(
  role: TestRole,
  password = "correct horse battery staple",
): Promise<StaffSession & { password: string }> {
  const email = `${role}-${randomUUID().slice(0, 10)}@staff.test`;
  const created = await createStaff(
    getDb(),
    systemCaller("test"),
    createStaffSchema.parse({ email, name: `Test ${role}`, role, password }),
  );
  const sessionId = await startStaffSession(
    getDb(),
    callerAs(systemCaller("test"), { type: "staff", id: created.id, role }),
  );
  return { id: created.id, email, name: `Test ${role}`, role, sessionId, mustEnrollTotp: false, password };
}

/** Calls tRPC procedures exactly as the HTTP handler does, as this staff member (or anonymously). */
export function callerFor(staff: StaffSession | undefined) {
  return createCaller(trpcContext({ staff, ip: "127.0.0.1", requestId: randomUUID() }));
}

/** A procedure call's outcome: its value, or the tRPC error code it was refused with (other errors are rethrown). */
export async function trpcOutcome<T>(call: Promise<T>): Promise<{ code: "OK"; value: T } | { code: string }> {
  try {
    return { code: "OK", value: await call };
  } catch (e) {
    if (e instanceof TRPCError) return { code: e.code };
    throw e;
  }
}
