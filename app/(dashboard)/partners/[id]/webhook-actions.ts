"use server";

import { runAction, type ActionResult } from "@/server/api/server-caller";
import type { AddEndpointInput } from "@/server/webhooks/schemas";

/**
 * The Webhooks section's changes, each through its procedure (which checks
 * the session, the role, the partner's owner and the input); the islands
 * refresh the page after each.
 */

const pathOf = (partnerId: unknown) =>
  Number.isSafeInteger(partnerId) ? `/partners/${String(partnerId)}` : "/partners";

/** Adds an endpoint; the answer carries its signing secret, shown this once. */
export async function addWebhookEndpoint(
  input: AddEndpointInput,
): Promise<ActionResult<{ id: string; url: string; secret: string }>> {
  return runAction(
    async (api) => {
      const added = await api.webhook.add(input);
      return { id: added.id, url: added.url, secret: added.secret };
    },
    { path: pathOf(input?.partnerId) },
  );
}

export async function setWebhookEndpointEnabled(
  partnerId: number,
  endpointId: string,
  enabled: boolean,
): Promise<ActionResult> {
  return runAction(async (api) => void (await api.webhook.update({ endpointId, enabled })), {
    path: pathOf(partnerId),
  });
}

/** A new secret, shown this once; the previous one keeps signing for 24 hours. */
export async function rotateWebhookSecret(
  partnerId: number,
  endpointId: string,
): Promise<ActionResult<{ secret: string; previousValidUntil: Date }>> {
  return runAction(
    async (api) => {
      const rotated = await api.webhook.rotate({ endpointId });
      return { secret: rotated.secret, previousValidUntil: rotated.previousValidUntil };
    },
    { path: pathOf(partnerId) },
  );
}

export async function removeWebhookEndpoint(
  partnerId: number,
  endpointId: string,
): Promise<ActionResult<{ undelivered: number }>> {
  return runAction(async (api) => ({ undelivered: (await api.webhook.remove({ endpointId })).undelivered }), {
    path: pathOf(partnerId),
  });
}

export async function sendTestWebhook(partnerId: number, endpointId: string): Promise<ActionResult> {
  return runAction(async (api) => void (await api.webhook.test({ endpointId })), { path: pathOf(partnerId) });
}

export async function resendWebhookMessage(partnerId: number, messageId: string): Promise<ActionResult> {
  return runAction(async (api) => void (await api.webhook.resend({ messageId })), { path: pathOf(partnerId) });
}
