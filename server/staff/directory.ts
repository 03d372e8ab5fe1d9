import { asc, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { staffUsers } from "../../db/schema";
import type { Caller } from "../caller";
import type { AddStaffInput } from "./schemas";
import { createStaff } from "./staff";

/** The Staff page's view of the team: every account, with what an admin needs to act on it. */

/**
 * Every staff member, by email. The TOTP secret and password hash stay on the
 * server: the list only says whether two-factor is set up. Staff are a team,
 * not a crowd, so there is no pagination.
 */
export async function listStaff(_caller: Caller, now: Date = new Date()) {
  const rows = await getDb()
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      name: staffUsers.name,
      role: staffUsers.role,
      active: staffUsers.active,
      totpEnrolled: sql<boolean>`${staffUsers.totpSecret} is not null`.mapWith(Boolean),
      totpRequired: staffUsers.totpRequired,
      lockedUntil: staffUsers.lockedUntil,
      failedSignIns: staffUsers.failedSignIns,
      lastLoginAt: staffUsers.lastLoginAt,
      createdAt: staffUsers.createdAt,
    })
    .from(staffUsers)
    .orderBy(sql`lower(${staffUsers.email})`, asc(staffUsers.id));
  // Compared with the application's clock, as sign-in does when it sets and checks the lock.
  return rows.map((row) => ({ ...row, locked: row.lockedUntil !== null && row.lockedUntil.getTime() > now.getTime() }));
}

/**
 * An admin adds a staff member. The server generates the first password and
 * returns it this once, for the admin to hand over; only its argon2id hash is
 * stored and the audit event records who was added, never the password.
 */
export async function addStaffMember(caller: Caller, input: AddStaffInput) {
  const created = await getDb().transaction((tx) =>
    createStaff(tx, caller, { email: input.email, name: input.name, role: input.role }),
  );
  return {
    id: created.id,
    email: created.email,
    name: input.name,
    role: created.role,
    temporaryPassword: created.generatedPassword!,
  };
}
