"use server";

import { randomUUID } from "node:crypto";
import { AppError } from "@/server/errors";
import { currentClientAddress } from "@/server/http/client-address";
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
  const ip = currentClientAddress();
  try {
    const ack = await submitSandboxAction({ input: parsed.data, ip, requestId: randomUUID() });
    return { ok: true, result: ack.result };
  } catch (error) {
    // Production hides thrown messages from the browser; an AppError's message is safe to show.
    if (error instanceof AppError) return { ok: false, message: error.message };
    throw error;
  }
}
