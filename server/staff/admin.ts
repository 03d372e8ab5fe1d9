import { eq, sql } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import { randomToken } from "../crypto";
import { AppError } from "../errors";
import { hashPassword } from "../passwords/hasher";
import type { ChangeStaffRoleInput, RequireTotpInput, StaffTarget } from "./schemas";
import { endAllStaffSessions } from "./sessions";

/** What an admin does to another staff member's account; every change is one audited transaction. */

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

/** Whether the staff member acting is the one acted on. */
function isSelf(caller: Caller, staffId: string): boolean {
  return caller.actor.type === "staff" && caller.actor.id === staffId;
}

/**
 * Requires (or stops requiring) TOTP for a staff member. Until they enrol,
 * their session only reaches their own account pages (server/api/trpc.ts).
 */
export async function setTotpRequired(caller: Caller, input: RequireTotpInput) {
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, input.staffId);
    await tx
      .update(staffUsers)
      .set({ totpRequired: input.required, updatedAt: new Date() })
      .where(eq(staffUsers.id, input.staffId));
    await recordAudit(tx, caller, {
      action: "staff.totp_requirement_changed",
      entityType: "staff",
      entityId: input.staffId,
      before: { totpRequired: staff.totpRequired },
      after: { totpRequired: input.required },
    });
    return { id: input.staffId, totpRequired: input.required };
  });
}

/**
 * Clears a staff member's authenticator (a lost phone, or a seed that no
 * longer opens after AUTH_SECRET changed). Their sessions end, and if TOTP is
 * required they must enrol again before doing anything else.
 */
export async function resetStaffTotp(caller: Caller, input: StaffTarget) {
  if (isSelf(caller, input.staffId))
    throw AppError.field(
      "forbidden",
      "staffId",
      "You cannot reset your own two-factor authentication; ask another admin",
    );
  return getDb().transaction(async (tx) => {
    await lockStaff(tx, input.staffId);
    const [before] = await tx
      .select({ enrolled: sql<boolean>`${staffUsers.totpSecret} is not null`.mapWith(Boolean) })
      .from(staffUsers)
      .where(eq(staffUsers.id, input.staffId));
    if (!before?.enrolled)
      throw AppError.field("conflict", "staffId", "This staff member has no two-factor authentication to reset");
    await tx
      .update(staffUsers)
      .set({ totpSecret: null, totpLastStep: null, updatedAt: new Date() })
      .where(eq(staffUsers.id, input.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: input.staffId });
    await recordAudit(tx, caller, {
      action: "staff.totp_reset",
      entityType: "staff",
      entityId: input.staffId,
      before: { totpEnrolled: true },
      after: { totpEnrolled: false, sessionsEnded },
    });
    return { id: input.staffId, totpEnrolled: false };
  });
}

/** Lifts a sign-in lockout at once and starts the failure count afresh. */
export async function unlockStaff(caller: Caller, input: StaffTarget) {
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, input.staffId);
    await tx
      .update(staffUsers)
      .set({ failedSignIns: 0, lockedUntil: null, updatedAt: new Date() })
      .where(eq(staffUsers.id, input.staffId));
    await recordAudit(tx, caller, {
      action: "staff.unlocked",
      entityType: "staff",
      entityId: input.staffId,
      before: { failedSignIns: staff.failedSignIns, lockedUntil: staff.lockedUntil },
      after: { failedSignIns: 0, lockedUntil: null },
    });
    return { id: input.staffId, failedSignIns: 0, lockedUntil: null };
  });
}

/**
 * Deactivates a staff member. Their sessions are ended too, so none comes
 * back if the account is reactivated.
 */
export async function deactivateStaff(caller: Caller, input: StaffTarget) {
  if (isSelf(caller, input.staffId))
    throw AppError.field("forbidden", "staffId", "You cannot deactivate your own account; ask another admin");
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, input.staffId);
    if (!staff.active) throw AppError.field("conflict", "staffId", "This staff member is already deactivated");
    await tx.update(staffUsers).set({ active: false, updatedAt: new Date() }).where(eq(staffUsers.id, input.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: input.staffId });
    await recordAudit(tx, caller, {
      action: "staff.deactivated",
      entityType: "staff",
      entityId: input.staffId,
      before: { active: true },
      after: { active: false, sessionsEnded },
    });
    return { id: input.staffId, active: false };
  });
}

/**
 * Lets a deactivated staff member sign in again. Sessions they had before
 * stay ended: deactivation revoked them for good.
 */
export async function reactivateStaff(caller: Caller, input: StaffTarget) {
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, input.staffId);
    if (staff.active) throw AppError.field("conflict", "staffId", "This staff member is already active");
    await tx.update(staffUsers).set({ active: true, updatedAt: new Date() }).where(eq(staffUsers.id, input.staffId));
    await recordAudit(tx, caller, {
      action: "staff.reactivated",
      entityType: "staff",
      entityId: input.staffId,
      before: { active: false },
      after: { active: true },
    });
    return { id: input.staffId, active: true };
  });
}

/**
 * Changes a staff member's role and ends their sessions: they sign in again
 * to a back office built for the new role, rather than keep pages and forms
 * of the old one open (docs/decisions/0004).
 */
export async function changeStaffRole(caller: Caller, input: ChangeStaffRoleInput) {
  if (isSelf(caller, input.staffId) && input.role !== "admin") {
    throw AppError.field("forbidden", "role", "You cannot remove your own admin role; ask another admin");
  }
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, input.staffId);
    if (staff.role === input.role)
      throw AppError.field("conflict", "role", `This staff member is already ${input.role}`);
    await tx
      .update(staffUsers)
      .set({ role: input.role, updatedAt: new Date() })
      .where(eq(staffUsers.id, input.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: input.staffId });
    await recordAudit(tx, caller, {
      action: "staff.role_changed",
      entityType: "staff",
      entityId: input.staffId,
      before: { role: staff.role },
      after: { role: input.role, sessionsEnded },
    });
    return { id: input.staffId, role: input.role };
  });
}

/**
 * An admin gives a staff member a new password (a forgotten one, or one that
 * may be known to someone else). Like the first password, it is generated and
 * returned this once for the admin to hand over; only its hash is stored and
 * the audit event never holds it. Every session of the member ends and their
 * lockout is cleared. Admins change their own password under Account security.
 */
export async function resetStaffPassword(caller: Caller, input: StaffTarget) {
  if (isSelf(caller, input.staffId))
    throw AppError.field("forbidden", "staffId", "Change your own password under Account security");
  const temporaryPassword = randomToken(18);
  const passwordHash = await hashPassword(temporaryPassword);
  return getDb().transaction(async (tx) => {
    const staff = await lockStaff(tx, input.staffId);
    await tx
      .update(staffUsers)
      .set({ passwordHash, failedSignIns: 0, lockedUntil: null, updatedAt: new Date() })
      .where(eq(staffUsers.id, input.staffId));
    const sessionsEnded = await endAllStaffSessions(tx, { staffId: input.staffId });
    await recordAudit(tx, caller, {
      action: "staff.password_reset",
      entityType: "staff",
      entityId: input.staffId,
      before: { failedSignIns: staff.failedSignIns, lockedUntil: staff.lockedUntil },
      after: { failedSignIns: 0, lockedUntil: null, sessionsEnded },
    });
    return { id: input.staffId, email: staff.email, name: staff.name, temporaryPassword };
  });
}
