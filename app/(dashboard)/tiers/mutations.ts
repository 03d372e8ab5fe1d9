"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { CreateTierInput, UpdateTierInput } from "@/server/billing/schemas";

/** The tier pages' changes, each through its procedure (which checks the staff member's partners and the input). */

export async function createTier(input: CreateTierInput): Promise<ActionResult<{ name: string }>> {
  return runAction(async (api) => ({ name: (await api.tier.create(input)).name }), { path: "/tiers" });
}

export async function updateTier(input: UpdateTierInput): Promise<ActionResult<{ name: string; changed: number }>> {
  return runAction(
    async (api) => {
      const result = await api.tier.update(input);
      return { name: result.tier.name, changed: result.changed.length };
    },
    { path: `/tiers/${input.tierId}` },
  );
}

export async function moveTier(input: {
  tierId: number;
  direction: "up" | "down";
}): Promise<ActionResult<{ moved: boolean }>> {
  return runAction((api) => api.tier.move(input), { path: "/tiers" });
}

export async function archiveTier(tierId: number): Promise<ActionResult> {
  return runAction(async (api) => void (await api.tier.archive({ tierId })), { path: "/tiers" });
}

export async function restoreTier(tierId: number): Promise<ActionResult> {
  return runAction(async (api) => void (await api.tier.restore({ tierId })), { path: "/tiers" });
}
