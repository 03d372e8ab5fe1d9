import type { Metadata } from "next";
import Link from "next/link";
import { loadPage } from "@/server/api/server-caller";
import { AutoRefresh } from "../../_components/auto-refresh";
import { linkClass } from "../../_components/display";
import { ListRefusal, RoleRefusal } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { Muted, Th } from "../../_components/section";
import { EmptyState, PageHeader } from "../../_components/ui";
import { formatDateTime } from "../../_components/vocabulary";
import { ImportStatusBadge, isRunning } from "./parts";
import { UploadForm } from "./upload-form";

export const metadata: Metadata = { title: "Import clients" };

const RECENT_JOBS = 20;

/**
 * Bulk import of a partner's existing clients: the upload form (an island
 * posting the file to /api/imports) and the recent jobs, rendered on the
 * server and again every few seconds while one of them runs.
 */
export default async function ImportsPage() {
  const [partners, jobs] = await Promise.all([
    loadPage("/imports", (api) => api.partner.options()),
    loadPage("/imports", (api) => api.import.list({ limit: RECENT_JOBS })),
  ]);
  const refused = !jobs.ok && jobs.kind === "forbidden" ? jobs : !partners.ok ? partners : undefined;
  if (refused)
    return (
      <RoleRefusal title="Import clients">
        {refused.kind === "forbidden"
          ? "Importing clients is for operations staff and admins; ask one of them."
          : refused.message}
      </RoleRefusal>
    );
  if (!partners.ok) return null;
  const running = jobs.ok && jobs.data.some((j) => isRunning(j.status));

  return (
    <div>
      <PageHeader
        title="Import clients"
        description="Bring a partner's existing clients into Gatehouse from a CSV file: upload it, read the dry run (what is ready, what is invalid and why, what is already here), then start the import and follow it."
      />
      <Notifications />
      {running && <AutoRefresh seconds={3} />}
      <UploadForm partners={partners.data.map((p) => ({ id: p.id, name: p.name, status: p.status }))} />
      <section aria-labelledby="recent-heading">
        <h2 id="recent-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Recent imports
        </h2>
        {!jobs.ok ? (
          <ListRefusal refusal={jobs} />
        ) : jobs.data.length === 0 ? (
          <EmptyState title="No imports yet">
            Upload a partner&apos;s CSV file above: you see a dry run before anything is imported.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Recent imports, newest first</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <Th>Uploaded (UTC)</Th>
                  <Th>Partner</Th>
                  <Th>File</Th>
                  <Th>Status</Th>
                  <Th className="text-right">Rows</Th>
                  <Th className="text-right">Ready</Th>
                  <Th className="text-right">Invalid</Th>
                  <Th className="text-right">Duplicates</Th>
                  <Th className="text-right">Imported</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {jobs.data.map((job) => (
                  <tr key={job.id}>
                    <td className="whitespace-nowrap px-3 py-2">
                      <Link href={`/imports/${job.id}`} className={linkClass}>
                        {formatDateTime(job.createdAt)}
                      </Link>
                    </td>
                    <td className="px-3 py-2">
                      {job.partnerName} ({job.partnerId})
                    </td>
                    <td className="max-w-56 truncate px-3 py-2">{job.fileName ?? <Muted />}</td>
                    <td className="px-3 py-2">
                      <ImportStatusBadge status={job.status} />
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{job.rows.toLocaleString("en")}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{job.ready.toLocaleString("en")}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{job.invalid.toLocaleString("en")}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{job.duplicates.toLocaleString("en")}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{job.imported.toLocaleString("en")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
