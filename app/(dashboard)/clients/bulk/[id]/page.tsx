import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { loadPage } from "@/server/api/server-caller";
import { AutoRefresh } from "../../../../_components/auto-refresh";
import { RoleRefusal } from "../../../../_components/list-page";
import { Notifications } from "../../../../_components/notifications";
import { PageHeader } from "../../../../_components/ui";
import { formatDateTime } from "../../../../_components/vocabulary";
import { bulkActionLabels, BulkResult } from "../bulk-result";
import { CancelBulkButton } from "./cancel-button";

export const metadata: Metadata = { title: "Bulk action" };

/**
 * One bulk action on clients: its progress while the background job runs
 * (the page renders again every two seconds until it ends, with Cancel), then
 * its result: the counts and each client skipped or failed, with the reason.
 */
export default async function BulkOperationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const page = await loadPage(`/clients/bulk/${encodeURIComponent(id)}`, (api) => api.client.bulkGet({ id }));
  if (!page.ok) {
    if (page.kind === "invalid" || page.kind === "not-found") notFound();
    return (
      <RoleRefusal title="Bulk action">
        {page.kind === "forbidden" ? "Only operations staff and admins act on many clients at once." : page.message}
      </RoleRefusal>
    );
  }
  const op = page.data;
  const live = op.status === "queued" || op.status === "running";
  const percent = op.total === 0 ? 100 : Math.floor((op.processed / op.total) * 100);
  return (
    <div className="max-w-5xl space-y-6">
      <Notifications />
      {live && <AutoRefresh seconds={2} />}
      <div>
        <Link
          href="/clients"
          className="mb-2 inline-block text-sm text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
        >
          ← Clients
        </Link>
        <PageHeader
          title={`${bulkActionLabels[op.action]}: ${op.total.toLocaleString("en")} clients`}
          description={`Started ${formatDateTime(op.createdAt)} UTC${op.createdBy ? ` by ${op.createdBy}` : ""}${
            op.filterWide ? ", every client matching the filters" : ""
          }`}
          actions={live && !op.cancelRequested ? <CancelBulkButton id={op.id} /> : undefined}
        />
      </div>
      <div className="space-y-2">
        <div className="flex justify-between text-sm text-slate-700">
          <span id="bulk-progress-label">
            {live
              ? op.cancelRequested
                ? "Stopping after the current batch…"
                : "In progress"
              : `Ended ${op.finishedAt ? formatDateTime(op.finishedAt) : ""} UTC`}
          </span>
          <span className="tabular-nums">
            {op.processed.toLocaleString("en")} of {op.total.toLocaleString("en")}
          </span>
        </div>
        <progress
          aria-labelledby="bulk-progress-label"
          max={op.total}
          value={op.processed}
          className="h-3 w-full overflow-hidden rounded-full"
        >
          {percent}%
        </progress>
      </div>
      <BulkResult view={op} />
    </div>
  );
}
