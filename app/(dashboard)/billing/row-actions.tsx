"use client";

import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import type { ActionResult } from "@/server/api/server-caller";
import { notify } from "../../_components/notifications";
import { Button, ConfirmDialog, Field, inputClass } from "../../_components/ui";
import { useFieldErrors } from "../../_components/use-field-errors";
import { cancelSubscription, voidInvoice } from "./mutations";

/**
 * A destructive billing action behind a confirmation that asks for the reason
 * recorded in the audit log. A refusal about the reason stays in the dialog;
 * any other closes it with a notification, and the page shows the rows as they
 * are now either way.
 */
function useReasonAction<T>(send: (reason: string) => Promise<ActionResult<T>>, done: (value: T) => string) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useFieldErrors({ reason });
  const [busy, setBusy] = useState(false);
  const close = () => {
    setOpen(false);
    setReason("");
    setErrors({});
  };
  async function confirm() {
    setBusy(true);
    const result = await send(reason).catch(() => undefined);
    setBusy(false);
    if (result && !result.ok && result.fieldErrors.reason) return setErrors({ reason: result.fieldErrors.reason });
    if (result?.ok) notify.success(done(result.value));
    else
      notify.error(
        result
          ? (Object.values(result.fieldErrors)[0] ?? result.message)
          : "The request could not be sent; check the connection and try again.",
      );
    close();
    router.refresh();
  }
  return { open, setOpen, reason, setReason, error: errors.reason, busy, close, confirm };
}

export function CancelSubscriptionButton({
  subscription: s,
  paidUntil,
}: {
  subscription: { id: string; clientEmail: string; tierName: string };
  paidUntil: string | null;
}) {
  const action = useReasonAction(
    (reason) => cancelSubscription({ subscriptionId: s.id, reason }),
    (ending) => `Cancelled the subscription of ${s.clientEmail}: ${ending}`,
  );
  return (
    <>
      <Button
        variant="secondary"
        onClick={() => action.setOpen(true)}
        aria-label={`Cancel the subscription of ${s.clientEmail}`}
      >
        Cancel
      </Button>
      <ReasonDialog
        title={`Cancel the subscription of ${s.clientEmail}?`}
        confirmLabel="Cancel subscription"
        action={action}
      >
        {paidUntil
          ? `${s.tierName} is paid until ${paidUntil}: it stays active until then and is not renewed.`
          : `${s.tierName} is not paid for now: it ends at once and its open invoice, if any, is voided.`}
      </ReasonDialog>
    </>
  );
}

export function VoidInvoiceButton({
  invoice,
  summary,
}: {
  invoice: { id: string; clientEmail: string };
  summary: string;
}) {
  const action = useReasonAction(
    (reason) => voidInvoice({ invoiceId: invoice.id, reason }),
    () => `Voided the invoice of ${invoice.clientEmail}; its subscription is cancelled`,
  );
  return (
    <>
      <Button
        variant="secondary"
        onClick={() => action.setOpen(true)}
        aria-label={`Void the invoice of ${invoice.clientEmail}`}
      >
        Void
      </Button>
      <ReasonDialog title={`Void the invoice of ${invoice.clientEmail}?`} confirmLabel="Void invoice" action={action}>
        {summary}
        Voiding cancels the subscription it belongs to at once: the invoice can no longer be paid and the client loses
        that subscription.
      </ReasonDialog>
    </>
  );
}

function ReasonDialog({
  title,
  confirmLabel,
  action,
  children,
}: {
  title: string;
  confirmLabel: string;
  action: ReturnType<typeof useReasonAction<never>>;
  children: ReactNode;
}) {
  return (
    <ConfirmDialog
      open={action.open}
      title={title}
      confirmLabel={confirmLabel}
      busy={action.busy}
      onConfirm={() => void action.confirm()}
      onCancel={action.close}
    >
      <div className="space-y-4">
        <p>{children}</p>
        <Field label="Reason" error={action.error} hint="Recorded in the audit log (3–500 characters)">
          {(p) => (
            <textarea
              {...p}
              rows={3}
              maxLength={500}
              value={action.reason}
              disabled={action.busy}
              onChange={(e) => action.setReason(e.target.value)}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
      </div>
    </ConfirmDialog>
  );
}
