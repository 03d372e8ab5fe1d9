"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { Role } from "@/server/auth/policies";

/** The Staff page's changes, each through its admin-only procedure. */

type Target = { staffId: string };

/** Adds a staff member; the temporary password comes back once, for the admin to hand over. */
export async function createStaff(input: {
  email: string;
  name: string;
  role: string;
}): Promise<ActionResult<{ email: string; name: string; temporaryPassword: string }>> {
  return runAction(
    async (api) => {
      const created = await api.staff.create(input as { email: string; name: string; role: Role });
      return { email: created.email, name: created.name, temporaryPassword: created.temporaryPassword };
    },
    { path: "/staff" },
  );
}

export async function changeRole(input: Target & { role: Role }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.staff.changeRole(input)), { path: "/staff" });
}

export async function requireTotp(input: Target & { required: boolean }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.staff.requireTotp(input)), { path: "/staff" });
}

export async function unlockStaff(input: Target): Promise<ActionResult> {
  return runAction(async (api) => void (await api.staff.unlock(input)), { path: "/staff" });
}

export async function deactivateStaff(input: Target): Promise<ActionResult> {
  return runAction(async (api) => void (await api.staff.deactivate(input)), { path: "/staff" });
}

export async function reactivateStaff(input: Target): Promise<ActionResult> {
  return runAction(async (api) => void (await api.staff.reactivate(input)), { path: "/staff" });
}

export async function resetStaffTotp(input: Target): Promise<ActionResult> {
  return runAction(async (api) => void (await api.staff.resetTotp(input)), { path: "/staff" });
}

/** A new temporary password for the member, shown to the admin once; their sessions end. */
export async function resetStaffPassword(
  input: Target,
): Promise<ActionResult<{ name: string; email: string; temporaryPassword: string }>> {
  return runAction(
    async (api) => {
      const reset = await api.staff.resetPassword(input);
      return { name: reset.name, email: reset.email, temporaryPassword: reset.temporaryPassword };
    },
    { path: "/staff" },
  );
}
