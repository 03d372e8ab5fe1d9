import { callerAsStaff, type Caller } from "../../server/caller";
import type { StaffRole } from "../../db/enums";

/** A request from `ip` (a test's own address, or none) by nobody yet: what a sign-in or a public request starts as. */
export function anonymousCaller(o: { ip?: string | null; requestId?: string | null } = {}): Caller {
  return { actor: { type: "anonymous" }, ip: o.ip ?? null, requestId: o.requestId ?? null, userAgent: null };
}

/** The caller a procedure's staff guard makes for this member (role, partner scope, session), for calling services directly. */
export function staffCaller(
  staff: { id: string; role: StaffRole; sessionId?: string },
  o: { ip?: string | null; requestId?: string | null } = {},
): Promise<Caller> {
  return callerAsStaff(anonymousCaller(o), staff);
}
