"use server";

import type { inferRouterInputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { runAction, type ActionResult } from "@/server/api/server-caller";

/**
 * The partner page's changes to the partner itself and its API keys, each
 * through its procedure (admins, and the KAM who owns the partner; reassigning
 * is the admins'); the islands render the page again after each.
 */

type Inputs = inferRouterInputs<AppRouter>;

const pathOf = (partnerId: unknown) =>
  Number.isSafeInteger(partnerId) ? `/partners/${String(partnerId)}` : "/partners";

/** Saves the settings as sent; answers which ones changed. */
export async function updatePartner(input: Inputs["partner"]["update"]): Promise<ActionResult<{ changed: string[] }>> {
  return runAction(async (api) => ({ changed: (await api.partner.update(input)).changed }), {
    path: pathOf(input?.partnerId),
  });
}

export async function suspendPartner(input: { partnerId: number; reason: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.partner.suspend(input)), { path: pathOf(input?.partnerId) });
}

export async function reactivatePartner(input: { partnerId: number; reason: string }): Promise<ActionResult> {
  return runAction(async (api) => void (await api.partner.reactivate(input)), { path: pathOf(input?.partnerId) });
}

export async function reassignPartner(input: {
  partnerId: number;
  ownerStaffId: string;
}): Promise<ActionResult<{ ownerName: string }>> {
  return runAction(async (api) => ({ ownerName: (await api.partner.reassign(input)).owner.name }), {
    path: pathOf(input?.partnerId),
  });
}

/** A new master API key: the key comes back this once, to be shown and copied. */
export async function createApiKey(input: {
  partnerId: number;
  name: string;
}): Promise<ActionResult<{ name: string; key: string }>> {
  return runAction(
    async (api) => {
      const created = await api.apiKey.create(input);
      return { name: created.name, key: created.key };
    },
    { path: pathOf(input?.partnerId) },
  );
}

export async function revokeApiKey(partnerId: number, keyId: string): Promise<ActionResult> {
  return runAction(async (api) => void (await api.apiKey.revoke({ keyId })), { path: pathOf(partnerId) });
}
