import { sql } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import { randomToken } from "../crypto";
import { AppError } from "../errors";
import { hashPassword } from "../passwords/hasher";
import type { CreateStaffInput } from "./schemas";
import type { StaffRole } from "../../db/enums";

export interface CreatedStaff {
  id: string;
  email: string;
  role: StaffRole;
  /** Present when the password was generated: shown once to whoever created the account. */
  generatedPassword?: string;
}

/**
 * Adds a staff member. The unique index on lower(email) decides between
 * concurrent requests for one email: the loser's insert does nothing and is
 * told the email is taken. Pass a transaction so the audit event commits with the row.
 */
export async function createStaff(db: Executor, caller: Caller, input: CreateStaffInput): Promise<CreatedStaff> {
  const generatedPassword = input.password ? undefined : randomToken(18);
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);
  const [row] = await db
    .insert(staffUsers)
    .values({ email: input.email, name: input.name, role: input.role, passwordHash })
    .onConflictDoNothing()
    .returning({ id: staffUsers.id, email: staffUsers.email, role: staffUsers.role });
  if (!row) throw AppError.field("conflict", "email", "A staff member with this email already exists");
  await recordAudit(db, caller, {
    action: "staff.create",
    entityType: "staff",
    entityId: row.id,
    after: { email: row.email, role: row.role, name: input.name },
  });
  return { ...row, ...(generatedPassword ? { generatedPassword } : {}) };
}

export async function countStaff(db: Executor): Promise<number> {
  const rows = await db.execute<{ n: string }>(sql`select count(*)::text as n from staff_users`);
  return Number(rows.rows[0]?.n ?? 0);
}
