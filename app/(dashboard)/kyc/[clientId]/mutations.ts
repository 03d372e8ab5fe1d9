"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { DecisionInput } from "@/server/kyc/schemas";

/** A staff KYC decision through `kyc.decide` (operations staff and admins, within their partners; the procedure checks). */
export async function decideKyc(input: DecisionInput): Promise<ActionResult<{ verificationLevel: number }>> {
  const path = typeof input?.clientId === "string" ? `/kyc/${encodeURIComponent(input.clientId)}` : "/kyc";
  return runAction(async (api) => ({ verificationLevel: (await api.kyc.decide(input)).verificationLevel }), { path });
}
