import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { staffUsers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { AppError } from "../errors";
import { checkStoredTotp, checkTotp, newTotpSecret, sealTotpSecret, totpEnrollment } from "./totp";

export const confirmTotpSchema = z.object({
  secret: z.string().regex(/^[A-Z2-7]{16,64}$/, "The setup key is not valid; start again"),
  code: z.string().trim().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app"),
  /** Replacing an enrolled authenticator needs a code from the one in use, so a borrowed session cannot take over 2FA. */
  currentCode: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the 6-digit code from the authenticator app you use now")
    .optional(),
});

/** A new secret for the staff member to scan; nothing is stored until they prove they have it. */
export async function startTotpEnrollment(staff: { email: string }) {
  const secret = newTotpSecret();
  const { uri, qrSvg } = await totpEnrollment(secret, staff.email);
  return { secret, uri, qrSvg };
}

export async function confirmTotpEnrollment(o: { staffId: string; input: z.infer<typeof confirmTotpSchema>; ip?: string | null }) {
  if (!checkTotp(o.input.secret, o.input.code)) throw AppError.field("validation_failed", "code", "That code does not match; check the time on your device and try again");
  await getDb().transaction(async (tx) => {
    const [current] = await tx.select({ totpSecret: staffUsers.totpSecret }).from(staffUsers).where(eq(staffUsers.id, o.staffId)).for("update");
    if (!current) throw new AppError("not_found", "No such staff member");
    const replacing = current.totpSecret !== null;
    if (replacing) {
      if (!o.input.currentCode) throw AppError.field("validation_failed", "currentCode", "Two-factor is already set up: enter a code from the authenticator app you use now to replace it");
      if (!checkStoredTotp(current.totpSecret!, o.input.currentCode)) throw AppError.field("validation_failed", "currentCode", "That code does not match your current authenticator");
    }
    await tx.update(staffUsers).set({ totpSecret: sealTotpSecret(o.input.secret), totpLastStep: null, updatedAt: new Date() }).where(eq(staffUsers.id, o.staffId));
    await recordAudit(tx, { actor: { type: "staff", id: o.staffId }, action: replacing ? "staff.totp_replaced" : "staff.totp_enrolled", entityType: "staff", entityId: o.staffId, ip: o.ip });
  });
}

export async function getAccountSecurity(staffId: string) {
  const [row] = await getDb()
    .select({ enrolled: staffUsers.totpSecret, required: staffUsers.totpRequired, lastLoginAt: staffUsers.lastLoginAt })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffId));
  return { totpEnrolled: Boolean(row?.enrolled), totpRequired: row?.required ?? false, lastLoginAt: row?.lastLoginAt ?? null };
}
