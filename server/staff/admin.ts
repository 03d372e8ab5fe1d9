import { eq, sql } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import type { StaffRole } from "../../db/enums";
import { staffUsers } from "../../db/schema";
import { recordAudit, type Actor } from "../audit/record";
import { randomToken } from "../crypto";
import { AppError } from "../errors";
import { hashPassword } from "../passwords/hasher";
import { endAllStaffSessions } from "./sessions";

/** What an admin does to another staff member's account; every change is one audited transaction. */

interface AdminChange {
  staffId: string;
  actor: Actor;
  ip?: string | null;
  requestId?: string | null;
}

/** Locks the staff row so two admins changing the same account are serialised. */
async function lockStaff(tx: Tx, staffId: string) {
  const [row] = await tx
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      name: staffUsers.name,
      role: staffUsers.role,
      active: staffUsers.active,
      failedSignIns: staffUsers.failedSignIns,
      lockedUntil: staffUsers.lockedUntil,
      totpRequired: staffUsers.totpRequired,
    })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId))
    .for("update");
  if (!row) throw new AppError("not_found", "No such staff member");
  return row;
}

function isSelf(actor: Actor, staffId: string): boolean {
  return actor.type === "staff" && actor.id === staffId;
}

/**
 * Requires (or stops requiring) TOTP for a staff member. Until they enrol,
 * their session only reaches their own account pages (server/api/trpc.ts).
 */
export async function setTotpRequired(o: AdminChange & { required: boolean }) {
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, o.staffId);
    await tx.update(staffUsers).set({ totpRequired: o.required, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    await recordAudit(tx, {
      actor: o.actor,
      action: "staff.totp_requirement_changed",
      entityType: "staff",
      entityId: o.staffId,
      before: { totpRequired: staff.totpRequired },
      after: { totpRequired: o.required },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.staffId, totpRequired: o.required };
  });
}

/**
 * Clears a staff member's authenticator (a lost phone, or a seed that no
 * longer opens after AUTH_SECRET changed). Their sessions end, and if TOTP is
 * required they must enrol again before doing anything else.
 */
export async function resetStaffTotp(o: AdminChange) {
  if (isSelf(o.actor, o.staffId)) throw AppError.field("forbidden", "staffId", "You cannot reset your own two-factor authentication; ask another admin");
  return getDb().transaction(async (tx) => {
    await lockStaff(tx, o.staffId);
    const [before] = await tx.select({ enrolled: sql<boolean>`${staffUsers.totpSecret} is not null`.mapWith(Boolean) }).from(staffUsers).where(eq(staffUsers.id, o.staffId));
    if (!before?.enrolled) throw AppError.field("conflict", "staffId", "This staff member has no two-factor authentication to reset");
    await tx.update(staffUsers).set({ totpSecret: null, totpLastStep: null, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: o.staffId });
    await recordAudit(tx, {
      actor: o.actor,
      action: "staff.totp_reset",
      entityType: "staff",
      entityId: o.staffId,
      before: { totpEnrolled: true },
      after: { totpEnrolled: false, sessionsEnded },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.staffId, totpEnrolled: false };
  });
}

/** Lifts a sign-in lockout at once and starts the failure count afresh. */
export async function unlockStaff(o: AdminChange) {
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, o.staffId);
    await tx.update(staffUsers).set({ failedSignIns: 0, lockedUntil: null, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    await recordAudit(tx, {
      actor: o.actor,
      action: "staff.unlocked",
      entityType: "staff",
      entityId: o.staffId,
      before: { failedSignIns: staff.failedSignIns, lockedUntil: staff.lockedUntil },
      after: { failedSignIns: 0, lockedUntil: null },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.staffId, failedSignIns: 0, lockedUntil: null };
  });
}

/**
 * Deactivates a staff member. Their sessions are ended too, so none comes
 * back if the account is reactivated.
 */
export async function deactivateStaff(o: AdminChange) {
  if (isSelf(o.actor, o.staffId)) throw AppError.field("forbidden", "staffId", "You cannot deactivate your own account; ask another admin");
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, o.staffId);
    if (!staff.active) throw AppError.field("conflict", "staffId", "This staff member is already deactivated");
    await tx.update(staffUsers).set({ active: false, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: o.staffId });
    await recordAudit(tx, {
      actor: o.actor,
      action: "staff.deactivated",
      entityType: "staff",
      entityId: o.staffId,
      before: { active: true },
      after: { active: false, sessionsEnded },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.staffId, active: false };
  });
}

/**
 * Lets a deactivated staff member sign in again. Sessions they had before
 * stay ended: deactivation revoked them for good.
 */
export async function reactivateStaff(o: AdminChange) {
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, o.staffId);
    if (staff.active) throw AppError.field("conflict", "staffId", "This staff member is already active");
    await tx.update(staffUsers).set({ active: true, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    await recordAudit(tx, {
      actor: o.actor,
      action: "staff.reactivated",
      entityType: "staff",
      entityId: o.staffId,
      before: { active: false },
      after: { active: true },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.staffId, active: true };
  });
}

/**
 * Changes a staff member's role and ends their sessions: they sign in again
 * to a back office built for the new role, rather than keep pages and forms
 * of the old one open (docs/decisions/0004).
 */
export async function changeStaffRole(o: AdminChange & { role: StaffRole }) {
  if (isSelf(o.actor, o.staffId) && o.role !== "admin") {
    throw AppError.field("forbidden", "role", "You cannot remove your own admin role; ask another admin");
  }
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, o.staffId);
    if (staff.role === o.role) throw AppError.field("conflict", "role", `This staff member is already ${o.role}`);
    await tx.update(staffUsers).set({ role: o.role, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: o.staffId });
    await recordAudit(tx, {
      actor: o.actor,
      action: "staff.role_changed",
      entityType: "staff",
      entityId: o.staffId,
      before: { role: staff.role },
      after: { role: o.role, sessionsEnded },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.staffId, role: o.role };
  });
}

/**
 * An admin gives a staff member a new password (a forgotten one, or one that
 * may be known to someone else). Like the first password, it is generated and
 * returned this once for the admin to hand over; only its hash is stored and
 * the audit event never holds it. Every session of the member ends and their
 * lockout is cleared. Admins change their own password under Account security.
 */
export async function resetStaffPassword(o: AdminChange) {
  if (isSelf(o.actor, o.staffId)) throw AppError.field("forbidden", "staffId", "Change your own password under Account security");
  const temporaryPassword = randomToken(18);
  const passwordHash = await hashPassword(temporaryPassword);
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, o.staffId);
    await tx.update(staffUsers).set({ passwordHash, failedSignIns: 0, lockedUntil: null, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: o.staffId });
    await recordAudit(tx, {
      actor: o.actor,
      action: "staff.password_reset",
      entityType: "staff",
      entityId: o.staffId,
      before: { failedSignIns: staff.failedSignIns, lockedUntil: staff.lockedUntil },
      after: { failedSignIns: 0, lockedUntil: null, sessionsEnded },
      ip: o.ip,
      requestId: o.requestId,
    });
    return { id: o.staffId, email: staff.email, name: staff.name, temporaryPassword };
  });
}
