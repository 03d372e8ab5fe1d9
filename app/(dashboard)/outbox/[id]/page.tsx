import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { loadPage } from "@/server/api/server-caller";
import { RoleRefusal } from "../../../_components/list-page";
import { Notifications } from "../../../_components/notifications";
import { PageHeader } from "../../../_components/ui";
import { formatDateTime } from "../../../_components/vocabulary";
import { canRetry, DevelopmentMailboxNotice, StatusBadge } from "../parts";
import { RetryButton } from "../retry-button";

export const metadata: Metadata = { title: "Email" };

const when = (d: Date | null | undefined) => formatDateTime(d, { seconds: true });

/** One email as it was sent, rendered on the server; Retry is its one island. */
export default async function OutboxMessagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const page = await loadPage(`/outbox/${encodeURIComponent(id)}`, (api) =>
    Promise.all([api.outbox.get({ id }), api.outbox.delivery()]),
  );
  if (!page.ok) {
    // An id that is not one names no email, like an id that is not there.
    if (page.kind === "invalid") notFound();
    return (
      <RoleRefusal title="Email">
        {page.kind === "forbidden"
          ? "Only operations staff and admins read the outbox; ask one of them."
          : page.message}
      </RoleRefusal>
    );
  }
  const [m, delivery] = page.data;
  const waiting = m.status === "queued" || m.status === "failing";
  return (
    <div className="max-w-5xl space-y-8">
      <Notifications />
      <div>
        <Link
          href="/outbox"
          className="mb-2 inline-block text-sm text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
        >
          ← Outbox
        </Link>
        <PageHeader
          title={m.subject}
          description={`To ${m.to}`}
          actions={canRetry(m.status) ? <RetryButton id={m.id} primary /> : undefined}
        />
        {!delivery.smtpConfigured && <DevelopmentMailboxNotice />}
      </div>

      <section aria-labelledby="delivery-heading">
        <h2 id="delivery-heading" className="text-lg font-semibold text-slate-900">
          Delivery
        </h2>
        <dl className="mt-2 grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3">
          <Item label="State">
            <StatusBadge status={m.status} />
          </Item>
          <Item label="Template">
            <span className="font-mono text-xs">{m.template}</span>
          </Item>
          <Item label="Partner">{m.partnerId === null ? "—" : `${m.partnerName ?? "Partner"} (${m.partnerId})`}</Item>
          <Item label="Queued (UTC)">{when(m.createdAt)}</Item>
          <Item label="Attempts">{m.attempts}</Item>
          <Item label="Next attempt (UTC)">{waiting ? when(m.nextAttemptAt) : "—"}</Item>
          <Item label="Sent (UTC)">{when(m.sentAt)}</Item>
          <Item label="Message id">
            <span className="break-all font-mono text-xs">{m.messageId ?? "—"}</span>
          </Item>
          <Item label="Client">
            {m.clientId ? (
              <Link
                href={`/clients/${m.clientId}`}
                className="break-all font-mono text-xs text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
              >
                {m.clientId}
              </Link>
            ) : (
              "—"
            )}
          </Item>
          {m.lastError && (
            <div className="sm:col-span-3">
              <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">Last error</dt>
              <dd className="mt-1 break-words text-rose-800">{m.lastError}</dd>
            </div>
          )}
        </dl>
      </section>

      <section aria-labelledby="text-heading">
        <h2 id="text-heading" className="text-lg font-semibold text-slate-900">
          Text version
        </h2>
        <pre className="mt-2 overflow-x-auto whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-white p-4 font-mono text-sm text-slate-900">
          {m.text}
        </pre>
      </section>

      <section aria-labelledby="html-heading">
        <h2 id="html-heading" className="text-lg font-semibold text-slate-900">
          HTML version
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Shown in a sandbox: no scripts run, and nothing in it can reach this page.
        </p>
        {/* sandbox="" grants nothing: no scripts, no forms, no same-origin access, no navigation of this page. */}
        <iframe
          title="HTML version of the email"
          sandbox=""
          srcDoc={m.html}
          referrerPolicy="no-referrer"
          className="mt-2 h-[28rem] w-full rounded-lg border border-slate-200 bg-white"
        />
      </section>
    </div>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-1 text-slate-900">{children}</dd>
    </div>
  );
}
