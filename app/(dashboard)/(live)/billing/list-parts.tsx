"use client";

import { useEffect, useState, type ReactNode } from "react";
import { toast } from "sonner";
import type { ZodType } from "zod";
import { fieldErrorsOf, messageOf } from "../../../_components/trpc";
import { ConfirmDialog, Field, inputClass } from "../../../_components/ui";

/** Pieces the two lists of the Subscriptions & invoices page share. */

export const PAGE_SIZE = 50;
const TYPING_DELAY_MS = 300;

/** A client-email filter that applies once typing pauses, so the list does not reload on every key. */
export function useEmailFilter() {
  const [typed, setTyped] = useState("");
  const [email, setEmail] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setEmail(typed.trim()), TYPING_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const field = (
    <Field label="Client email" hint="The whole email address">
      {(p) => <input {...p} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} maxLength={320} autoComplete="off" spellCheck={false} className={inputClass} />}
    </Field>
  );
  return { email, field };
}

/**
 * The state of a ReasonDialog for one row: the row it is open for, the reason
 * typed and its error. `submit` checks the request with the server's schema
 * before sending it; `failed` keeps an error about the reason in the dialog
 * and turns any other into a toast, closing the dialog and refreshing.
 */
export function useReasonDialog<T>(refresh: () => Promise<unknown>) {
  const [target, setTarget] = useState<T | null>(null);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | undefined>();
  const close = () => {
    setTarget(null);
    setReason("");
    setReasonError(undefined);
  };
  function submit<I>(schema: ZodType, input: I, send: (input: I) => void) {
    const parsed = schema.safeParse(input);
    if (!parsed.success) return setReasonError(parsed.error.issues[0]?.message);
    setReasonError(undefined);
    send(input);
  }
  const failed = (idField: string) => (error: unknown) => {
    const fields = fieldErrorsOf(error);
    if (fields.reason) return setReasonError(fields.reason);
    toast.error(fields[idField] ?? messageOf(error));
    close();
    return refresh();
  };
  return { target, open: setTarget, reason, setReason, reasonError, close, submit, failed };
}

export function Th({ children }: { children: ReactNode }) {
  return (
    <th scope="col" className="px-3 py-2">
      {children}
    </th>
  );
}

export function Muted({ children }: { children: ReactNode }) {
  return <span className="text-slate-500">{children}</span>;
}

/** A destructive action's confirmation that asks for the reason recorded in the audit log, its error in place. */
export function ReasonDialog({
  open,
  title,
  confirmLabel,
  busy,
  reason,
  error,
  onReasonChange,
  onConfirm,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy: boolean;
  reason: string;
  error?: string;
  onReasonChange: (reason: string) => void;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <ConfirmDialog open={open} title={title} confirmLabel={confirmLabel} busy={busy} onConfirm={onConfirm} onCancel={onCancel}>
      <div className="space-y-4">
        <p>{children}</p>
        <Field label="Reason" error={error} hint="Recorded in the audit log (3–500 characters)">
          {(p) => <textarea {...p} rows={3} maxLength={500} value={reason} disabled={busy} onChange={(e) => onReasonChange(e.target.value)} className={`${inputClass} w-full`} />}
        </Field>
      </div>
    </ConfirmDialog>
  );
}

/** The table around a list's rows, with its caption and whether it is refreshing. */
export function ListTable({ caption, busy, headers, children }: { caption: string; busy: boolean; headers: ReactNode; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={busy}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>{headers}</tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top">{children}</tbody>
      </table>
    </div>
  );
}
