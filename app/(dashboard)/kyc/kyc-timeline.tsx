import type { ReactNode } from "react";
import { formatDateTime, kycProviderLabels } from "../../_components/vocabulary";
import { eventLabel, stateLabel, verdictLabel, type CurrentVerification, type HistoryEvent } from "./labels";

/** A client's KYC state and history, shown on the decision page and the client page. */

const when = (d: Date) => formatDateTime(d, { seconds: true, zone: true });

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 whitespace-pre-line break-words text-sm text-slate-900">{children ?? "—"}</dd>
    </div>
  );
}

function Labels({ labels }: { labels: string[] }) {
  if (labels.length === 0) return null;
  return (
    <ul aria-label="Reject labels" className="flex flex-wrap gap-1">
      {labels.map((l) => (
        <li key={l} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800">
          {l}
        </li>
      ))}
    </ul>
  );
}

const COMMENT_FOR_CLIENT = "Moderation comment (may be shown to the client)";
const COMMENT_INTERNAL = "Client comment (internal: never shown to the client)";

export function KycStateSummary({ verification: v }: { verification: CurrentVerification | null }) {
  if (!v)
    return (
      <p className="text-sm text-slate-700">
        The client has not started a verification, and no decision has been made.
      </p>
    );
  const completed = v.reviewStatus === "completed";
  return (
    <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
      <Term label="KYC state">{stateLabel(v)}</Term>
      <Term label="Since">{when(v.statusChangedAt)}</Term>
      <Term label="Provider">{kycProviderLabels[v.provider]}</Term>
      <Term label="Applicant id">{v.applicantId && <code className="font-mono text-xs">{v.applicantId}</code>}</Term>
      <Term label="Level name">{v.levelName}</Term>
      {completed && <Term label="Decided by">{v.decidedBy ? `${v.decidedBy.name} (staff)` : "The provider"}</Term>}
      {completed && v.reviewAnswer === "RED" && (
        <Term label="Reject labels">{v.rejectLabels.length > 0 ? <Labels labels={v.rejectLabels} /> : null}</Term>
      )}
      {completed && <Term label={COMMENT_FOR_CLIENT}>{v.moderationComment}</Term>}
      {completed && <Term label={COMMENT_INTERNAL}>{v.clientComment}</Term>}
    </dl>
  );
}

export function KycTimeline({ events }: { events: HistoryEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-700">No KYC events yet.</p>;
  return (
    <ol aria-label="KYC history" className="space-y-3">
      {events.map((e) => {
        const verdict = verdictLabel(e);
        return (
          <li
            key={e.id}
            className={`rounded-md border p-3 text-sm ${e.outcome === "stale" ? "border-dashed border-slate-300 bg-slate-50 text-slate-600" : "border-slate-200"}`}
          >
            <p className="flex flex-wrap items-baseline gap-x-2">
              <span className="font-medium text-slate-900">{eventLabel(e.eventType)}</span>{" "}
              {verdict && (
                <span
                  className={e.reviewAnswer === "GREEN" ? "font-medium text-emerald-800" : "font-medium text-rose-800"}
                >
                  {verdict}
                </span>
              )}{" "}
              <span className="text-slate-600">
                · {e.source === "staff" ? `by ${e.staff?.name ?? "staff"}` : "from the provider"}
              </span>{" "}
              <time dateTime={e.occurredAt.toISOString()} className="text-slate-600">
                · {when(e.occurredAt)}
              </time>
            </p>
            {e.outcome === "stale" && <p className="mt-1">Not applied: older than an event already received.</p>}
            {(e.rejectLabels.length > 0 || e.moderationComment || e.clientComment) && (
              <dl className="mt-2 grid gap-2">
                {e.rejectLabels.length > 0 && (
                  <Term label="Reject labels">
                    <Labels labels={e.rejectLabels} />
                  </Term>
                )}
                {e.moderationComment && <Term label={COMMENT_FOR_CLIENT}>{e.moderationComment}</Term>}
                {e.clientComment && <Term label={COMMENT_INTERNAL}>{e.clientComment}</Term>}
              </dl>
            )}
          </li>
        );
      })}
    </ol>
  );
}
