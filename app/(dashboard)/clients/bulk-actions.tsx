"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { BulkOperationView } from "@/server/clients/bulk";
import { notify } from "../../_components/notifications";
import { Button, ErrorNotice, Field, inputClass } from "../../_components/ui";
import { countMatching, startBulk } from "./mutations";
import { BulkResult } from "./bulk/bulk-result";

type Action = Parameters<typeof startBulk>[1]["action"];

const ACTIONS: Array<{ action: Action; label: string; destructive: boolean; reason: boolean; explain: string }> = [
  {
    action: "block",
    label: "Block",
    destructive: true,
    reason: true,
    explain: "Blocked clients cannot sign in, and every open session ends.",
  },
  {
    action: "suspend",
    label: "Suspend",
    destructive: true,
    reason: true,
    explain: "Suspended clients cannot sign in until reactivated, and every open session ends.",
  },
  {
    action: "reactivate",
    label: "Reactivate",
    destructive: false,
    reason: true,
    explain: "The clients can sign in again.",
  },
  {
    action: "resend_confirmation",
    label: "Resend email confirmation",
    destructive: false,
    reason: false,
    explain: "Clients with an unconfirmed email get a new code and link, within the usual send limits.",
  },
  {
    action: "revoke_sessions",
    label: "Revoke sessions",
    destructive: true,
    reason: false,
    explain: "Every open session of these clients ends; they must sign in again.",
  },
  {
    action: "send_password_reset",
    label: "Send password reset",
    destructive: false,
    reason: false,
    explain: "Active clients get a password reset email, within the usual send limits.",
  },
];

const offline = "The request could not be sent; check the connection and try again.";
const plural = (n: number) => `${n.toLocaleString("en")} client${n === 1 ? "" : "s"}`;

/**
 * The Clients list's bulk actions: what is selected (the ticked rows, or every
 * client matching the filters once staff ask for all N), the actions, the
 * confirmation with its reason, and the result. A picked selection is done
 * when the answer comes; a filter-wide one continues on its own page.
 */
export function BulkActions({
  query,
  picked,
  shownCount,
  canAct,
  onClear,
}: {
  query: string;
  picked: Array<{ id: string; updatedAt: string }>;
  /** Rows on screen: "select all matching" is offered once every one of them is ticked. */
  shownCount: number;
  canAct: boolean;
  onClear: () => void;
}) {
  const router = useRouter();
  const [allMatching, setAllMatching] = useState<number | undefined>();
  const [counting, setCounting] = useState(false);
  const [chosen, setChosen] = useState<(typeof ACTIONS)[number] | undefined>();
  const [result, setResult] = useState<BulkOperationView | undefined>();
  const [problem, setProblem] = useState<string>();
  const [exporting, setExporting] = useState(false);

  // A new filter or a changed selection drops "all matching".
  useEffect(() => setAllMatching(undefined), [query, picked.length]);

  const count = allMatching ?? picked.length;
  if (count === 0 && !result) return null;

  async function selectAllMatching() {
    setCounting(true);
    const answer = await countMatching(query).catch(() => undefined);
    setCounting(false);
    if (answer?.ok) setAllMatching(answer.value);
    else setProblem(answer?.message ?? offline);
  }

  async function exportSelection() {
    if (allMatching !== undefined) {
      window.location.assign(`/api/clients/export${query ? `?${query}` : ""}`);
      return;
    }
    setExporting(true);
    try {
      const res = await fetch("/api/clients/export", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientIds: picked.map((p) => p.id) }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        notify.error(body?.error?.message ?? "The export could not be made; try again.");
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = "clients.csv";
      link.click();
      URL.revokeObjectURL(url);
    } catch {
      notify.error(offline);
    } finally {
      setExporting(false);
    }
  }

  function finished(view: BulkOperationView) {
    setChosen(undefined);
    onClear();
    if (view.status === "queued" || view.status === "running") {
      router.push(`/clients/bulk/${view.id}`);
      return;
    }
    setResult(view);
    notify.success(`${ACTIONS.find((a) => a.action === view.action)?.label ?? "Done"}: ${plural(view.succeeded)} done`);
    router.refresh();
  }

  return (
    <div className="mb-4 space-y-4">
      {result && <BulkResult view={result} onDismiss={() => setResult(undefined)} />}
      {count > 0 && (
        <section
          aria-label="Bulk actions"
          className="flex flex-wrap items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50 p-3 text-sm"
        >
          <p role="status" className="font-medium text-slate-900">
            {allMatching !== undefined
              ? `All ${plural(allMatching)} matching these filters are selected`
              : `${plural(picked.length)} selected`}
          </p>
          {allMatching === undefined && picked.length === shownCount && (
            <Button variant="secondary" onClick={() => void selectAllMatching()} disabled={counting}>
              {counting ? "Counting…" : "Select all matching these filters"}
            </Button>
          )}
          <Button variant="secondary" onClick={onClear}>
            Clear selection
          </Button>
          <span className="mx-1 h-6 w-px bg-indigo-200" aria-hidden />
          {canAct &&
            ACTIONS.map((a) => (
              <Button key={a.action} variant={a.destructive ? "danger" : "secondary"} onClick={() => setChosen(a)}>
                {a.label}
              </Button>
            ))}
          <Button variant="secondary" onClick={() => void exportSelection()} disabled={exporting}>
            {exporting ? "Exporting…" : "Export selection"}
          </Button>
          {problem && <ErrorNotice>{problem}</ErrorNotice>}
        </section>
      )}
      {chosen && (
        <BulkDialog
          key={chosen.action}
          choice={chosen}
          count={count}
          filterWide={allMatching !== undefined}
          onCancel={() => setChosen(undefined)}
          submit={(reason) =>
            startBulk(query, {
              action: chosen.action,
              ...(reason ? { reason } : {}),
              ...(allMatching === undefined ? { picked } : {}),
            })
          }
          onDone={finished}
        />
      )}
    </div>
  );
}

/** Confirms the action, with its reason where one is needed; errors show beside the field. */
function BulkDialog({
  choice,
  count,
  filterWide,
  submit,
  onCancel,
  onDone,
}: {
  choice: (typeof ACTIONS)[number];
  count: number;
  filterWide: boolean;
  submit: (reason: string) => ReturnType<typeof startBulk>;
  onCancel: () => void;
  onDone: (view: BulkOperationView) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (choice.reason && reason.trim().length < 3) {
      setErrors({ reason: "Give a reason of at least 3 characters" });
      return;
    }
    setBusy(true);
    const answer = await submit(reason.trim()).catch(() => undefined);
    setBusy(false);
    if (!answer) return setMessage(offline);
    if (answer.ok) return onDone(answer.value);
    setErrors(answer.fieldErrors);
    setMessage(answer.fieldErrors.reason ? undefined : answer.message);
  }

  const confirmLabel = `${choice.label} ${plural(count)}`;
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={onCancel}
      className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form onSubmit={(e) => void onSubmit(e)} className="space-y-4 p-6" noValidate>
        <h2 id={titleId} className="text-lg font-semibold text-slate-900">
          {choice.label} {plural(count)}?
        </h2>
        <p className="text-sm text-slate-700">
          {choice.explain}{" "}
          {filterWide
            ? "It runs in the background; you can follow it and cancel it."
            : "Clients changed since this page was loaded are skipped and listed."}
        </p>
        {choice.reason && (
          <Field label="Reason" error={errors.reason} hint="Recorded in the audit log with each client">
            {(p) => (
              <textarea
                {...p}
                value={reason}
                onChange={(e) => {
                  setReason(e.target.value);
                  if (errors.reason) setErrors(({ reason: _r, ...rest }) => rest);
                }}
                rows={3}
                maxLength={500}
                required
                className={inputClass}
              />
            )}
          </Field>
        )}
        {message && <ErrorNotice>{message}</ErrorNotice>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant={choice.destructive ? "danger" : "primary"} disabled={busy}>
            {busy ? "Working…" : confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
