"use server";

import { invalidInput, runAction, type ActionResult } from "@/server/api/server-caller";
import { changePasswordFormSchema } from "@/server/staff/schemas";

/** Account security's changes, each through its account procedure: the signed-in staff member's own account only. */

const path = "/account/security";

/** A new TOTP secret and its QR code, kept by nobody until a code from the app confirms it. */
export async function startTotp(): Promise<ActionResult<{ secret: string; qrSvg: string }>> {
  return runAction(
    async (api) => {
      const started = await api.account.startTotp();
      return { secret: started.secret, qrSvg: started.qrSvg };
    },
    { path },
  );
}

export async function confirmTotp(input: { secret: string; code: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.account.confirmTotp(input)), { path });
}

/**
 * Changes the staff member's own password. The form's schema (the new one
 * typed twice) is checked here, so its message arrives like the procedure's.
 */
export async function changePassword(input: {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}): Promise<ActionResult<{ otherSessionsEnded: number }>> {
  const parsed = changePasswordFormSchema.safeParse(input);
  if (!parsed.success) return invalidInput(parsed.error.issues);
  const { currentPassword, newPassword } = parsed.data;
  return runAction(async (api) => api.account.changePassword({ currentPassword, newPassword }), { path });
}
