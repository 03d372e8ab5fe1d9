"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { notify } from "../../../_components/notifications";
import { Button, ConfirmDialog } from "../../../_components/ui";
import { cancelImport, startImport } from "../mutations";

const checkboxClass =
  "size-4 rounded border-slate-400 text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-700";

/**
 * What staff do to a job: start a dry run's import (with the two sends off
 * unless ticked, after a confirmation saying what will happen) and cancel it
 * while it is waiting or running. The page shows the job as it is now after
 * either, and keeps refreshing while it imports.
 */
export function ImportControls({
  jobId,
  partnerName,
  ready,
  canStart,
  canCancel,
}: {
  jobId: string;
  partnerName: string;
  ready: number;
  canStart: boolean;
  canCancel: boolean;
}) {
  const router = useRouter();
  const [sendEmails, setSendEmails] = useState(false);
  const [sendWebhooks, setSendWebhooks] = useState(false);
  const [confirming, setConfirming] = useState<"start" | "cancel" | null>(null);
  const [busy, setBusy] = useState(false);
  const clients = `${ready.toLocaleString("en")} client${ready === 1 ? "" : "s"}`;

  async function start() {
    setBusy(true);
    const result = await startImport({ jobId, sendEmails, sendWebhooks }).catch(() => undefined);
    setBusy(false);
    setConfirming(null);
    if (result?.ok) notify.success(`Importing ${clients} into ${partnerName}`);
    else notify.error(result?.message ?? "The import could not be started; check the connection and try again.");
    router.refresh();
  }

  async function cancel() {
    setBusy(true);
    const result = await cancelImport({ jobId }).catch(() => undefined);
    setBusy(false);
    setConfirming(null);
    if (result?.ok) notify.success("Import cancelled");
    else notify.error(result?.message ?? "The import could not be cancelled; check the connection and try again.");
    router.refresh();
  }

  return (
    <div className="space-y-4">
      {canStart && (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-800">While importing</legend>
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              checked={sendEmails}
              onChange={(e) => setSendEmails(e.target.checked)}
              disabled={busy}
              className={checkboxClass}
            />
            Send welcome / confirmation emails
          </label>
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              checked={sendWebhooks}
              onChange={(e) => setSendWebhooks(e.target.checked)}
              disabled={busy}
              className={checkboxClass}
            />
            Send client.registered webhooks
          </label>
        </fieldset>
      )}
      <div className="flex flex-wrap gap-2">
        {canStart && (
          <Button onClick={() => setConfirming("start")} disabled={busy || ready === 0}>
            Start import
          </Button>
        )}
        {canCancel && (
          <Button variant="secondary" onClick={() => setConfirming("cancel")} disabled={busy}>
            Cancel import
          </Button>
        )}
      </div>
      {canStart && ready === 0 && <p className="text-sm text-slate-600">No row is ready to import.</p>}
      <ConfirmDialog
        open={confirming === "start"}
        title={`Import ${clients} into ${partnerName}?`}
        confirmLabel="Start import"
        busy={busy}
        onConfirm={() => void start()}
        onCancel={() => setConfirming(null)}
      >
        <p>
          {sendEmails ? "Each client gets a welcome or confirmation email." : "No email is sent to the clients."}{" "}
          {sendWebhooks
            ? "The partner's webhook endpoints get a client.registered event for each."
            : "No client.registered webhook is sent."}
        </p>
        <p className="mt-2">Invalid rows and duplicates are left out. You can cancel while it runs.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === "cancel"}
        title="Cancel this import?"
        confirmLabel="Yes, cancel the import"
        busy={busy}
        onConfirm={() => void cancel()}
        onCancel={() => setConfirming(null)}
      >
        Clients imported so far stay; the rows not yet imported are not imported.
      </ConfirmDialog>
    </div>
  );
}
