"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";

/** Saves a partner's hosts and browser origins as sent (the procedure validates them); answers what changed. */
export async function saveHosts(input: {
  partnerId: number;
  hosts: string[];
  allowedOrigins: string[];
}): Promise<ActionResult<{ changed: string[] }>> {
  const path = Number.isSafeInteger(input?.partnerId) ? `/partners/${input.partnerId}` : "/partners";
  return runAction(
    async (api) => {
      const saved = await api.partner.setHosts(input);
      return { changed: saved.changed };
    },
    { path },
  );
}
