import { z } from "zod";
import { emailSchema } from "../registration/schemas";
import { STAFF_ROLES } from "../../db/enums";

/** Staff schemas, free of server-only imports so the Staff page validates with them too. */

const staffRoleSchema = z.enum(STAFF_ROLES, { error: "role must be admin, operations or kam" });

/** Staff passwords: long enough to resist guessing; no composition rules beyond length (NIST 800-63B). */
const staffPasswordSchema = z.string().min(12, "Staff passwords must be at least 12 characters").max(128);

/** Staff emails are stored lower-case: one person, one account, however they type it. */
const staffEmailSchema = emailSchema.transform((email) => email.toLowerCase());

export const createStaffSchema = z.object({
  email: staffEmailSchema,
  name: z.string().trim().min(1, "Name is required").max(120, "Name must be at most 120 characters"),
  role: staffRoleSchema,
  password: staffPasswordSchema.optional(),
});
export type CreateStaffInput = z.output<typeof createStaffSchema>;

/** What an admin enters on the Staff page; the server always generates the first password. */
export const addStaffSchema = createStaffSchema.omit({ password: true });
export type AddStaffInput = z.output<typeof addStaffSchema>;

export const staffTargetSchema = z.object({ staffId: z.uuid("staffId must be a staff member's id") });
export const requireTotpSchema = staffTargetSchema.extend({
  required: z.boolean({ error: "required must be true or false" }),
});
export const changeStaffRoleSchema = staffTargetSchema.extend({ role: staffRoleSchema });
export type StaffTarget = z.output<typeof staffTargetSchema>;
export type RequireTotpInput = z.output<typeof requireTotpSchema>;
export type ChangeStaffRoleInput = z.output<typeof changeStaffRoleSchema>;

/**
 * What the sign-in form sends, as next-auth's credentials provider checks it:
 * bounded, so an oversized field is refused before any account is looked up.
 * An empty TOTP field means none was typed.
 */
export const signInSchema = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(256),
  totp: z
    .string()
    .trim()
    .max(10)
    .transform((v) => (v ? v : undefined))
    .optional(),
});
export type SignInInput = z.output<typeof signInSchema>;

const passwordChange = z.object({
  currentPassword: z.string().min(1, "Enter your current password").max(256, "That is not your current password"),
  newPassword: staffPasswordSchema,
});
const newDiffersFromCurrent = (v: { currentPassword: string; newPassword: string }) =>
  v.newPassword !== v.currentPassword;
const sameAsCurrent = { path: ["newPassword"], message: "Choose a password different from your current one" };

/** A staff member changes their own password (Account security); the current one proves it is them. */
export const changePasswordSchema = passwordChange.refine(newDiffersFromCurrent, sameAsCurrent);
export type ChangePasswordInput = z.output<typeof changePasswordSchema>;

/** The same, as the form checks it before sending: the new password typed twice. */
export const changePasswordFormSchema = passwordChange
  .extend({ confirmPassword: z.string() })
  .refine(newDiffersFromCurrent, sameAsCurrent)
  .refine((v) => v.confirmPassword === v.newPassword, {
    path: ["confirmPassword"],
    message: "The two new passwords do not match",
  });
