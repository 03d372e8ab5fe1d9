"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { PendingKind } from "../../_components/vocabulary";

/** Sends the code (or the confirmation email) again; the cooldown and the daily cap answer in words. */
export async function resendPending(target: { kind: PendingKind; id: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.pending.resend(target)), { path: "/pending" });
}

/** Cancels the confirmation: its code stops working at once. */
export async function cancelPending(target: { kind: PendingKind; id: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.pending.cancel(target)), { path: "/pending" });
}
