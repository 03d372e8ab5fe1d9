import type { BulkOperationSummary, BulkOperationView } from "@/server/clients/bulk";

/** The words for bulk actions and their states, shared by the Clients page's result and the operation's page. */
export const bulkActionLabels: Record<BulkOperationSummary["action"], string> = {
  block: "Block",
  suspend: "Suspend",
  reactivate: "Reactivate",
  resend_confirmation: "Resend email confirmation",
  revoke_sessions: "Revoke sessions",
  send_password_reset: "Send password reset",
};

const statusLabels: Record<BulkOperationView["status"], string> = {
  queued: "Waiting to start",
  running: "Running",
  completed: "Finished",
  cancelled: "Cancelled",
  failed: "Failed",
};

const itemLabels: Record<BulkOperationView["items"][number]["status"], string> = {
  pending: "Not reached",
  done: "Done",
  skipped: "Skipped",
  failed: "Failed",
};

/** Counts, and each client that was skipped or failed with the reason (done ones after them). */
export function BulkResult({ view, onDismiss }: { view: BulkOperationView; onDismiss?: () => void }) {
  const label = bulkActionLabels[view.action];
  return (
    <section
      aria-labelledby={`bulk-result-${view.id}`}
      className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h2 id={`bulk-result-${view.id}`} className="text-base font-semibold text-slate-900">
          {label}: {statusLabels[view.status].toLowerCase()}
        </h2>
        {onDismiss && (
          <button
            type="button"
            onClick={onDismiss}
            className="text-sm text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
          >
            Dismiss
          </button>
        )}
      </div>
      <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1">
        <Count label="Done" value={view.succeeded} />
        <Count label="Skipped" value={view.skipped} />
        <Count label="Failed" value={view.failed} />
        <Count label="Total" value={view.total} />
      </dl>
      {view.reason && <p className="mt-2 text-slate-700">Reason: {view.reason}</p>}
      {view.items.length > 0 && (
        <table className="mt-3 min-w-full divide-y divide-slate-200">
          <caption className="sr-only">Outcome for each client of this {label.toLowerCase()} action</caption>
          <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="py-1 pr-3">
                Client
              </th>
              <th scope="col" className="py-1 pr-3">
                Outcome
              </th>
              <th scope="col" className="py-1">
                Why
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {view.items.map((i) => (
              <tr key={i.clientId}>
                <td className="py-1 pr-3">{i.email}</td>
                <td className="py-1 pr-3">{itemLabels[i.status]}</td>
                <td className="py-1 text-slate-700">{i.outcome ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div className="flex gap-1">
      <dt className="text-slate-600">{label}</dt>
      <dd className="font-semibold tabular-nums text-slate-900">{value.toLocaleString("en")}</dd>
    </div>
  );
}
