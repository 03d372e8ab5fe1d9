import { z } from "zod";
import { emailSchema } from "../registration/schemas";

/** Staff schemas, free of server-only imports so the Staff page validates with them too. */

export const staffRoleSchema = z.enum(["admin", "operations", "kam"], { error: "role must be admin, operations or kam" });

/** Staff passwords: long enough to resist guessing; no composition rules beyond length (NIST 800-63B). */
export const staffPasswordSchema = z.string().min(12, "Staff passwords must be at least 12 characters").max(128);

/** Staff emails are stored lower-case: one person, one account, however they type it. */
const staffEmailSchema = emailSchema.transform((email) => email.toLowerCase());

export const createStaffSchema = z.object({
  email: staffEmailSchema,
  name: z.string().trim().min(1, "Name is required").max(120, "Name must be at most 120 characters"),
  role: staffRoleSchema,
  password: staffPasswordSchema.optional(),
});
export type CreateStaffInput = z.input<typeof createStaffSchema>;

/** What an admin enters on the Staff page; the server always generates the first password. */
export const addStaffSchema = createStaffSchema.omit({ password: true });
export type AddStaffInput = z.input<typeof addStaffSchema>;

export const staffTargetSchema = z.object({ staffId: z.uuid("staffId must be a staff member's id") });
export const requireTotpSchema = staffTargetSchema.extend({ required: z.boolean({ error: "required must be true or false" }) });
export const changeStaffRoleSchema = staffTargetSchema.extend({ role: staffRoleSchema });
