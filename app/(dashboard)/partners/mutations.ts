"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { CreatePartnerInput } from "@/server/partners/schemas";

/** Adds a partner (a KAM becomes its owner; an admin may name one); answers its new partnerId. */
export async function createPartner(input: CreatePartnerInput): Promise<ActionResult<{ id: number; name: string }>> {
  return runAction(
    async (api) => {
      const partner = await api.partner.create(input);
      return { id: partner.id, name: partner.name };
    },
    { path: "/partners" },
  );
}
