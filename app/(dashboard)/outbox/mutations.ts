"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";

/** Queues a failed email for delivery again (the procedure refuses one being sent or already sent). */
export async function retryEmail(id: string): Promise<ActionResult> {
  return runAction(async (api) => void (await api.outbox.retry({ id })), { path: "/outbox" });
}
