import type { StaffRole } from "../db/enums";
import { partnerScopeOf, type PartnerScope, type StaffMember } from "./auth/policies";
import { AppError } from "./errors";

/**
 * Who acts, and from where. Each entry point builds one, once: the tRPC
 * kernel (the signed-in staff member and their partner scope), the REST
 * wrapper (anonymous until the handler authenticates a client or a master
 * key), the CLI and the background jobs (the system). Every service takes it
 * first: its rules read the actor and the scope, and the audit log reads the
 * actor, the address and the request id from it (audit/record.ts).
 */

export type StaffActor = {
  type: "staff";
  id: string;
  role: StaffRole;
  /** The session the member acts through, when they act through one: changing their own password keeps it open and ends the others. */
  sessionId?: string;
};
export type ClientActor = { type: "client"; id: string; partnerId: number };
type ApiKeyActor = { type: "api_key"; id: string; partnerId: number };
type SystemActor = { type: "system"; id?: string };

export type Actor = StaffActor | ClientActor | ApiKeyActor | SystemActor | { type: "anonymous" };

export interface Caller {
  actor: Actor;
  /** The partners a staff caller may see, set with the staff actor (callerAsStaff); other actors' scope follows from the actor (scopeOf). */
  scope?: PartnerScope;
  ip: string | null;
  requestId: string | null;
  userAgent: string | null;
}

/** The same request, acting as someone else: the client or master key a handler authenticated, or the system locking an account during a sign-in. */
export function callerAs(caller: Caller, actor: Actor): Caller {
  // A scope belongs to the actor it was read for, never to another one.
  return { actor, ip: caller.ip, requestId: caller.requestId, userAgent: caller.userAgent };
}

/** The request acting as a signed-in staff member, with the partners their role lets them see, read now. */
export async function callerAsStaff(caller: Caller, staff: StaffMember & { sessionId?: string }): Promise<Caller> {
  const actor: StaffActor = {
    type: "staff",
    id: staff.id,
    role: staff.role,
    ...(staff.sessionId ? { sessionId: staff.sessionId } : {}),
  };
  return { ...callerAs(caller, actor), scope: await partnerScopeOf(staff) };
}

/** Work nobody asked for over a request: the billing scheduler, first start, the demo seed. `id` names the job in the audit log. */
export function systemCaller(id?: string, o: { requestId?: string | null; userAgent?: string | null } = {}): Caller {
  return {
    actor: id === undefined ? { type: "system" } : { type: "system", id },
    ip: null,
    requestId: o.requestId ?? null,
    userAgent: o.userAgent ?? null,
  };
}

/**
 * The partners the caller may see: a staff member's scope as the kernel read
 * it, every partner for the system (an operator runs it), the actor's own
 * partner for a client or a master key, none for anyone else.
 */
export function scopeOf(caller: Caller): PartnerScope {
  if (caller.scope) return caller.scope;
  switch (caller.actor.type) {
    case "system":
      return { partnerIds: undefined };
    case "client":
    case "api_key":
      return { partnerIds: [caller.actor.partnerId] };
    case "staff":
      // A staff caller is always built with its scope (callerAsStaff); guessing one here would widen it.
      throw new Error("a staff caller must carry its partner scope");
    case "anonymous":
      return { partnerIds: [] };
  }
}

/** The staff member acting, for what only staff do; any other caller is refused. */
export function staffOf(caller: Caller): StaffActor {
  if (caller.actor.type !== "staff") throw new AppError("forbidden", "Only staff may do this");
  return caller.actor;
}

/** The client acting, for what a client does to its own records; any other caller is refused. */
export function clientOf(caller: Caller): ClientActor {
  if (caller.actor.type !== "client")
    throw new AppError("unauthorized", "Send an access token as Authorization: Bearer <token>");
  return caller.actor;
}
