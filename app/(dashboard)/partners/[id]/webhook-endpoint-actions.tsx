"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/server/api/server-caller";
import { CopyableValue } from "../../../_components/copyable-value";
import { notify } from "../../../_components/notifications";
import { Button, ConfirmDialog } from "../../../_components/ui";
import { formatDateTime } from "../../../_components/vocabulary";
import {
  removeWebhookEndpoint,
  resendWebhookMessage,
  rotateWebhookSecret,
  sendTestWebhook,
  setWebhookEndpointEnabled,
} from "./webhook-actions";

const offline = "The change could not be sent; check the connection and try again.";

/** Runs an action, says how it went, and renders the page again with what changed. */
function useAction() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function run<T>(
    action: () => Promise<ActionResult<T>>,
    success: (value: T) => string | undefined,
  ): Promise<T | undefined> {
    setBusy(true);
    const result = await action().catch(() => undefined);
    setBusy(false);
    router.refresh();
    if (!result?.ok) {
      notify.error(result?.message ?? offline);
      return undefined;
    }
    const message = success(result.value);
    if (message) notify.success(message);
    return result.value;
  }
  return { busy, run };
}

/** One endpoint's buttons: enable or disable it, send a test event, rotate its secret (shown once), remove it. */
export function EndpointActions({
  partnerId,
  endpointId,
  url,
  enabled,
}: {
  partnerId: number;
  endpointId: string;
  url: string;
  enabled: boolean;
}) {
  const { busy, run } = useAction();
  const [confirming, setConfirming] = useState<"rotate" | "remove" | null>(null);
  const [rotated, setRotated] = useState<{ secret: string; previousValidUntil: Date } | null>(null);

  async function rotate() {
    const value = await run(
      () => rotateWebhookSecret(partnerId, endpointId),
      () => "Rotated the signing secret",
    );
    setConfirming(null);
    if (value) setRotated(value);
  }

  async function remove() {
    await run(
      () => removeWebhookEndpoint(partnerId, endpointId),
      ({ undelivered }) =>
        `Removed the endpoint ${url}${undelivered > 0 ? `; ${undelivered} undelivered messages were given up` : ""}`,
    );
    setConfirming(null);
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          disabled={busy || !enabled}
          onClick={() =>
            void run(
              () => sendTestWebhook(partnerId, endpointId),
              () => "Queued a test event (webhook.test)",
            )
          }
        >
          Send test event
        </Button>
        <Button
          variant="secondary"
          disabled={busy}
          onClick={() =>
            void run(
              () => setWebhookEndpointEnabled(partnerId, endpointId, !enabled),
              () => (enabled ? `Disabled ${url}: its events wait until it is enabled again` : `Enabled ${url}`),
            )
          }
        >
          {enabled ? "Disable" : "Enable"}
        </Button>
        <Button variant="secondary" disabled={busy} onClick={() => setConfirming("rotate")}>
          Rotate secret
        </Button>
        <Button variant="danger" disabled={busy} onClick={() => setConfirming("remove")}>
          Remove
        </Button>
      </div>
      {rotated && (
        <div className="rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
          <CopyableValue
            wide
            label="New signing secret"
            value={rotated.secret}
            copyLabel="Copy secret"
            note={`This secret won't be shown again. The previous one keeps signing beside it until ${formatDateTime(rotated.previousValidUntil, { zone: true })}; switch the receiver over before then.`}
            actions={
              <Button variant="secondary" onClick={() => setRotated(null)}>
                Done
              </Button>
            }
          />
        </div>
      )}
      <ConfirmDialog
        open={confirming === "rotate"}
        title={`Rotate the secret of ${url}?`}
        confirmLabel="Rotate secret"
        busy={busy}
        onConfirm={() => void rotate()}
        onCancel={() => setConfirming(null)}
      >
        A new secret signs every delivery from now on. The current one keeps signing beside it for 24 hours, so the
        receiver can switch without refusing a message.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === "remove"}
        title={`Remove ${url}?`}
        confirmLabel="Remove endpoint"
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(null)}
      >
        Nothing more is sent to it, and messages still waiting for it are given up. Its delivery log stays in the audit
        trail.
      </ConfirmDialog>
    </div>
  );
}

/** Sends one message of the log again now, under the same webhook-id. */
export function ResendButton({ partnerId, messageId, label }: { partnerId: number; messageId: string; label: string }) {
  const { busy, run } = useAction();
  return (
    <Button
      variant="secondary"
      disabled={busy}
      aria-label={label}
      onClick={() =>
        void run(
          () => resendWebhookMessage(partnerId, messageId),
          () => "Queued for delivery again, with the same webhook-id",
        )
      }
    >
      Resend
    </Button>
  );
}
