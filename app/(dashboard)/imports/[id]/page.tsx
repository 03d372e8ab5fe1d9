import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { loadPage } from "@/server/api/server-caller";
import { AutoRefresh } from "../../../_components/auto-refresh";
import { linkClass } from "../../../_components/display";
import { RoleRefusal } from "../../../_components/list-page";
import { Notifications } from "../../../_components/notifications";
import { Muted, Section, Table } from "../../../_components/section";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { formatDateTime } from "../../../_components/vocabulary";
import { ImportCounts, ImportStatusBadge, isRunning, type ImportJobStatus } from "../parts";
import { ImportControls } from "./import-controls";

export const metadata: Metadata = { title: "Import" };

/** How many invalid rows the page lists; the error report has them all. */
const INVALID_ROWS_SHOWN = 20;

/**
 * One import job, rendered on the server: its dry run (counts, the first
 * invalid rows with the reason per field, the error report), then its
 * progress, refreshed every two seconds while it is being checked or imported.
 * Starting and cancelling are its one island.
 */
export default async function ImportJobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const page = await loadPage(`/imports/${encodeURIComponent(id)}`, (api) =>
    Promise.all([api.import.get({ jobId: id }), api.import.invalidRows({ jobId: id, limit: INVALID_ROWS_SHOWN })]),
  );
  if (!page.ok) {
    // An id that is not one names no job, like an id that is not there.
    if (page.kind === "invalid") notFound();
    return (
      <RoleRefusal title="Import">
        {page.kind === "forbidden"
          ? "Importing clients is for operations staff and admins; ask one of them."
          : page.message}
      </RoleRefusal>
    );
  }
  const [job, invalidRows] = page.data;
  const running = isRunning(job.status);
  const checked = job.status !== "validating";
  const reportable = job.invalid + job.duplicates > 0;
  const progress = job.ready === 0 ? 0 : Math.min(100, Math.round((job.imported / job.ready) * 100));

  return (
    <div className="max-w-5xl space-y-8">
      <Notifications />
      {running && <AutoRefresh seconds={2} />}
      <div>
        <Link href="/imports" className={`mb-2 inline-block text-sm ${linkClass}`}>
          ← Import clients
        </Link>
        <PageHeader
          title={`Import for ${job.partnerName}`}
          description={`${job.fileName ?? "Uploaded file"} · partnerId ${job.partnerId} · uploaded ${formatDateTime(job.createdAt, { zone: true })}`}
        />
      </div>

      <section aria-labelledby="status-heading" className="space-y-3">
        <h2 id="status-heading" className="text-lg font-semibold text-slate-900">
          Status
        </h2>
        <p role="status" className="flex flex-wrap items-center gap-2 text-sm text-slate-800">
          <ImportStatusBadge status={job.status} />
          <span>{statusSentence(job)}</span>
        </p>
        {job.error &&
          (job.status === "failed" ? (
            <ErrorNotice>{job.error}</ErrorNotice>
          ) : (
            <p className="text-sm text-slate-700">{job.error}</p>
          ))}
        {(job.status === "importing" || job.startedAt) && (
          <div className="space-y-1">
            <label htmlFor="import-progress" className="text-sm font-medium text-slate-800">
              Imported {job.imported.toLocaleString("en")} of {job.ready.toLocaleString("en")}
            </label>
            <progress
              id="import-progress"
              max={Math.max(job.ready, 1)}
              value={job.imported}
              className="block h-2 w-full max-w-xl overflow-hidden rounded bg-slate-200 accent-indigo-700"
            >
              {progress}%
            </progress>
          </div>
        )}
        {job.startedAt && (
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
            <Term label="Welcome / confirmation emails">{job.sendEmails ? "On" : "Off"}</Term>
            <Term label="client.registered webhooks">{job.sendWebhooks ? "On" : "Off"}</Term>
            <Term label="Started (UTC)">{formatDateTime(job.startedAt)}</Term>
            <Term label="Finished (UTC)">{formatDateTime(job.finishedAt)}</Term>
          </dl>
        )}
        <ImportControls
          jobId={job.id}
          partnerName={job.partnerName}
          ready={job.ready}
          canStart={job.status === "validated"}
          canCancel={job.status === "validated" || job.status === "importing"}
        />
      </section>

      <section aria-labelledby="dry-run-heading" className="space-y-3">
        <h2 id="dry-run-heading" className="text-lg font-semibold text-slate-900">
          Dry run
        </h2>
        {checked ? (
          <ImportCounts counts={job} />
        ) : (
          <p className="text-sm text-slate-600">The file is being checked; the counts appear when it is done.</p>
        )}
      </section>

      {checked && (
        <Section
          id="invalid"
          title="Rows left out"
          description={
            reportable
              ? `${job.invalid > INVALID_ROWS_SHOWN ? `The first ${INVALID_ROWS_SHOWN} of ${job.invalid.toLocaleString("en")} invalid rows` : "The invalid rows"}, with the reason for each field. The error report lists every invalid and duplicate row by line.`
              : undefined
          }
        >
          {reportable && (
            <a
              href={`/api/imports/${job.id}/errors`}
              download
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
            >
              Download error report (CSV)
            </a>
          )}
          {invalidRows.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600">
              {job.duplicates > 0
                ? "No row is invalid; the duplicates are clients this partner already has."
                : "Every row is valid."}
            </p>
          ) : (
            <Table caption="Invalid rows" headers={["Line", "Email", "Field", "Reason"]}>
              {invalidRows.flatMap((row) =>
                row.errors.map((problem, i) => (
                  <tr key={`${row.line}-${i}`} className="align-top">
                    <td className="px-3 py-2 tabular-nums">{i === 0 ? row.line : ""}</td>
                    <td className="px-3 py-2 break-all">{i === 0 ? (row.email ?? <Muted />) : ""}</td>
                    <td className="px-3 py-2 font-mono text-xs">{problem.field}</td>
                    <td className="px-3 py-2">{problem.message}</td>
                  </tr>
                )),
              )}
            </Table>
          )}
        </Section>
      )}
    </div>
  );
}

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-1 text-slate-900">{children}</dd>
    </div>
  );
}

function statusSentence(job: { status: ImportJobStatus; ready: number; imported: number }): string {
  const ready = `${job.ready.toLocaleString("en")} row${job.ready === 1 ? "" : "s"}`;
  switch (job.status) {
    case "validating":
      return "Reading and checking every row.";
    case "validated":
      return `Nothing is imported yet. Start the import to create ${ready}, or cancel it.`;
    case "importing":
      return `Importing ${ready}; this page follows it.`;
    case "completed":
      return `Imported ${job.imported.toLocaleString("en")} client${job.imported === 1 ? "" : "s"}.`;
    case "failed":
      return job.imported > 0
        ? `Stopped after ${job.imported.toLocaleString("en")} imported.`
        : "Nothing was imported.";
    case "cancelled":
      return `Cancelled after ${job.imported.toLocaleString("en")} imported.`;
  }
}
