"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { notify } from "../../_components/notifications";
import { Button, ConfirmDialog } from "../../_components/ui";
import type { PendingKind } from "../../_components/vocabulary";
import { cancelPending, resendPending } from "./mutations";

const offline = "The request could not be sent; check the connection and try again.";

/** Resend and Cancel for one pending confirmation; the page shows the row as it is afterwards. */
export function PendingRowActions({
  target,
  canResend,
}: {
  target: { kind: PendingKind; id: string; email: string };
  canResend: boolean;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const ref = { kind: target.kind, id: target.id };

  async function resend() {
    setBusy(true);
    const result = await resendPending(ref).catch(() => undefined);
    setBusy(false);
    // Cooldown and daily-cap refusals carry the server's wording ("ask again in 42 seconds").
    if (result?.ok)
      notify.success(
        target.kind === "registration" ? "A new code is on its way" : "A new confirmation email is on its way",
      );
    else notify.error(result?.message ?? offline);
    if (result?.ok) router.refresh();
  }

  async function cancel() {
    setBusy(true);
    const result = await cancelPending(ref).catch(() => undefined);
    setBusy(false);
    setConfirming(false);
    if (result?.ok) notify.success("Cancelled: the code no longer works");
    else notify.error(result?.message ?? offline);
    router.refresh();
  }

  return (
    <div className="flex justify-end gap-2">
      {canResend ? (
        <Button
          variant="secondary"
          onClick={() => void resend()}
          disabled={busy}
          aria-label={`Resend to ${target.email}`}
        >
          Resend
        </Button>
      ) : (
        <span className="text-xs text-slate-600">The client must repeat step 1</span>
      )}
      <Button
        variant="danger"
        onClick={() => setConfirming(true)}
        disabled={busy}
        aria-label={`Cancel for ${target.email}`}
      >
        Cancel
      </Button>
      <ConfirmDialog
        open={confirming}
        title="Cancel this confirmation?"
        confirmLabel="Cancel confirmation"
        busy={busy}
        onConfirm={() => void cancel()}
        onCancel={() => setConfirming(false)}
      >
        {target.kind === "registration"
          ? `The code sent to ${target.email} stops working at once; to register, the client must start again from step 1.`
          : `The confirmation code and link sent to ${target.email} stop working at once. The client stays unconfirmed until a new email is sent.`}
      </ConfirmDialog>
    </div>
  );
}
