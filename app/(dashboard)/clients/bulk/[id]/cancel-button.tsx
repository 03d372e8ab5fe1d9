"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { notify } from "../../../../_components/notifications";
import { Button, ConfirmDialog } from "../../../../_components/ui";
import { cancelBulk } from "../../mutations";

/** Stops a running bulk action after its current batch; the clients already changed stay changed. */
export function CancelBulkButton({ id }: { id: string }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  async function cancel() {
    setBusy(true);
    const result = await cancelBulk(id).catch(() => undefined);
    setBusy(false);
    setConfirming(false);
    if (result?.ok) notify.success("Cancelling: it stops after the current batch");
    else notify.error(result?.message ?? "The request could not be sent; check the connection and try again.");
    router.refresh();
  }

  return (
    <>
      <Button variant="danger" onClick={() => setConfirming(true)} disabled={busy}>
        Cancel
      </Button>
      <ConfirmDialog
        open={confirming}
        title="Cancel this bulk action?"
        confirmLabel="Stop it"
        busy={busy}
        onConfirm={() => void cancel()}
        onCancel={() => setConfirming(false)}
      >
        It stops after the batch in progress. Clients already changed stay changed; the rest are left as they are.
      </ConfirmDialog>
    </>
  );
}
