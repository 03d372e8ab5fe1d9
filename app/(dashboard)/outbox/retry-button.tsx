"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { notify } from "../../_components/notifications";
import { Button } from "../../_components/ui";
import { retryEmail } from "./mutations";

/** Retry of one email that failed: a notification either way, then the page shows the email as it is now. */
export function RetryButton({ id, label, primary }: { id: string; label?: string; primary?: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function retry() {
    setBusy(true);
    const result = await retryEmail(id).catch(() => undefined);
    setBusy(false);
    if (result?.ok) notify.success("Queued again for delivery");
    else notify.error(result?.message ?? "The retry could not be sent; check the connection and try again.");
    router.refresh();
  }
  return (
    <Button variant={primary ? "primary" : "secondary"} disabled={busy} onClick={() => void retry()} aria-label={label}>
      {busy && primary ? "Retrying…" : "Retry"}
    </Button>
  );
}
