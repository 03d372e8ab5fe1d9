import { Badge } from "../../_components/display";

/** What the Import clients page and a job's page share: the job's status and its counts. */

export type ImportJobStatus = "validating" | "validated" | "importing" | "completed" | "failed" | "cancelled";

const importStatusLabels: Record<ImportJobStatus, string> = {
  validating: "Checking the file",
  validated: "Dry run ready",
  importing: "Importing",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

const tones = {
  validating: "indigo",
  validated: "amber",
  importing: "indigo",
  completed: "green",
  failed: "rose",
  cancelled: "grey",
} as const;

export function ImportStatusBadge({ status }: { status: ImportJobStatus }) {
  return <Badge tone={tones[status]}>{importStatusLabels[status]}</Badge>;
}

/** A job that changes by itself: its page refreshes while it is in one of these. */
export const isRunning = (status: ImportJobStatus) => status === "validating" || status === "importing";

interface Counts {
  rows: number;
  ready: number;
  invalid: number;
  duplicates: number;
  imported: number;
}

const countLabels: Array<[keyof Counts, string]> = [
  ["rows", "Rows"],
  ["ready", "Ready"],
  ["invalid", "Invalid"],
  ["duplicates", "Duplicates"],
  ["imported", "Imported"],
];

/** The job's counts, in the order the dry run reads: rows = ready + invalid + duplicates; imported of ready. */
export function ImportCounts({ counts }: { counts: Counts }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
      {countLabels.map(([key, label]) => (
        <div key={key} className="rounded-lg border border-slate-200 bg-white p-3">
          <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">{label}</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">
            {counts[key].toLocaleString("en")}
          </dd>
        </div>
      ))}
    </dl>
  );
}
