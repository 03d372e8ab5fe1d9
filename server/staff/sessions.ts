import { createHash } from "node:crypto";
import { and, eq, gt, isNull, lt, ne, or, sql } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import type { StaffRole } from "../../db/enums";
import { staffSessions, staffUsers } from "../../db/schema";
import { staffOf, type Caller } from "../caller";

/**
 * Staff sessions live in staff_sessions (docs/decisions/0004): the session
 * cookie carries the row's id, and the session ends when the row is revoked
 * (sign-out, or an event that ends a member's sessions) or expires.
 */

/** A signed-in staff member as every request sees them: read from the database, never from the cookie. */
export interface SignedInStaff {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  /** The staff_sessions row this session is. */
  sessionId: string;
  mustEnrollTotp: boolean;
}

/** How long a session lasts from sign-in, whatever happens in between. */
export const STAFF_SESSION_SECONDS = 8 * 60 * 60;

const USER_AGENT_MAX = 256;
/** Rows of ended sessions are kept this long (who signed in from where), then removed at the member's next sign-in. */
const ENDED_SESSIONS_KEPT_DAYS = 30;

/**
 * The session row of a cookie issued before session rows existed, which named
 * the member and their session_version instead of a row. Migration 0010 gave
 * each active member one such row, with this id, lasting as long as those
 * cookies could (8 hours): an upgrade signs nobody out, and signing out of
 * such a session revokes that row like any other.
 */
export function legacySessionId(staffId: string, sessionVersion: number): string {
  const h = createHash("md5").update(`${staffId}:${sessionVersion}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-3${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Opens a session row at sign-in for the staff member the caller now is, from the caller's address and browser; pass the sign-in's transaction. */
export async function startStaffSession(db: Executor, caller: Caller, now: number = Date.now()): Promise<string> {
  const staffId = staffOf(caller).id;
  const [row] = await db
    .insert(staffSessions)
    .values({
      staffId,
      createdAt: new Date(now),
      expiresAt: new Date(now + STAFF_SESSION_SECONDS * 1000),
      ip: caller.ip,
      userAgent: caller.userAgent ? caller.userAgent.slice(0, USER_AGENT_MAX) : null,
    })
    .returning({ id: staffSessions.id });
  const cutoff = new Date(now - ENDED_SESSIONS_KEPT_DAYS * 24 * 60 * 60 * 1000);
  await db
    .delete(staffSessions)
    .where(
      and(
        eq(staffSessions.staffId, staffId),
        or(lt(staffSessions.expiresAt, cutoff), lt(staffSessions.revokedAt, cutoff)),
      ),
    );
  return row!.id;
}

/** Sign-out: ends the one session the cookie named. */
export async function endStaffSession(o: { sessionId: string; staffId: string }): Promise<void> {
  await getDb()
    .update(staffSessions)
    .set({ revokedAt: new Date() })
    .where(
      and(eq(staffSessions.id, o.sessionId), eq(staffSessions.staffId, o.staffId), isNull(staffSessions.revokedAt)),
    );
}

/**
 * Ends every open session of a staff member, or every one but `except` (the
 * session that changed its own password stays open). Pass the transaction of
 * the change that ends them; returns how many were ended, for its audit event.
 */
export async function endAllStaffSessions(db: Executor, o: { staffId: string; except?: string }): Promise<number> {
  const ended = await db
    .update(staffSessions)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(staffSessions.staffId, o.staffId),
        isNull(staffSessions.revokedAt),
        gt(staffSessions.expiresAt, new Date()),
        o.except ? ne(staffSessions.id, o.except) : undefined,
      ),
    )
    .returning({ id: staffSessions.id });
  return ended.length;
}

/**
 * The current state of a signed-in staff member, or undefined when the
 * session must end: its row is missing, revoked or expired, or the account is
 * deactivated. One indexed read: the session row joined to its staff row.
 */
export async function loadStaffForSession(o: {
  staffId: string;
  sessionId: string;
  now?: number;
}): Promise<SignedInStaff | undefined> {
  const [staff] = await getDb()
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      name: staffUsers.name,
      role: staffUsers.role,
      mustEnrollTotp: sql<boolean>`${staffUsers.totpRequired} and ${staffUsers.totpSecret} is null`.mapWith(Boolean),
    })
    .from(staffSessions)
    .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffId))
    .where(
      and(
        eq(staffSessions.id, o.sessionId),
        eq(staffSessions.staffId, o.staffId),
        isNull(staffSessions.revokedAt),
        gt(staffSessions.expiresAt, new Date(o.now ?? Date.now())),
        eq(staffUsers.active, true),
      ),
    );
  return staff ? { ...staff, sessionId: o.sessionId } : undefined;
}
