"use server";

import { headers } from "next/headers";
import { randomUUID } from "node:crypto";
import type { Caller } from "@/server/caller";
import { toAppError } from "@/server/errors";
import { currentClientAddress } from "@/server/http/client-address";
import { log } from "@/server/log";
import { sandboxActionSchema, submitSandboxAction, type SandboxActionInput } from "@/server/kyc/sandbox-provider";
import type { WebhookAck } from "@/server/kyc/schemas";

export type SandboxActionResult = { ok: true; result: WebhookAck["result"] } | { ok: false; message: string };

/**
 * The sandbox page's buttons: a tester's verdict becomes a signed webhook
 * through the same handler Sumsub's webhooks reach. A server action rather
 * than a REST route, so the public API gains no endpoint; refused unless the
 * client's partner is a sandbox partner (getSandboxApplicant).
 */
export async function sendSandboxAction(input: SandboxActionInput): Promise<SandboxActionResult> {
  const parsed = sandboxActionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => i.message).join("; ") };
  // Whoever holds the page's link: anonymous, as a webhook's sender is until its signature is checked.
  const caller: Caller = {
    actor: { type: "anonymous" },
    ip: currentClientAddress(),
    requestId: randomUUID(),
    userAgent: (await headers()).get("user-agent"),
  };
  const { requestId } = caller;
  try {
    const ack = await submitSandboxAction(caller, parsed.data);
    return { ok: true, result: ack.result };
  } catch (thrown) {
    // Production hides thrown messages from the browser; the normalised error's message is safe to show.
    const { error, unexpected } = toAppError(thrown);
    if (unexpected) log.error("sandbox action failed", { requestId, error: thrown });
    return { ok: false, message: error.message };
  }
}
