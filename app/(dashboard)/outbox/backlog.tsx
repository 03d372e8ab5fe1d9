import type { ProcedureOutputs } from "@/server/api/server-caller";
import type { ReactNode } from "react";
import { formatDateTime } from "../../_components/vocabulary";

type Outputs = ProcedureOutputs;

function Figure({ label, value, warn }: { label: string; value: number; warn?: boolean }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd
        className={`mt-0.5 text-lg font-semibold tabular-nums ${warn && value > 0 ? "text-rose-800" : "text-slate-900"}`}
      >
        {value.toLocaleString("en")}
      </dd>
    </div>
  );
}

function Card({ title, children, oldest }: { title: string; children: ReactNode; oldest: Date | null }) {
  return (
    <section aria-label={`${title} backlog`} className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
      <dl className="mt-2 grid grid-cols-3 gap-3">{children}</dl>
      <p className="mt-2 text-xs text-slate-600">
        {oldest ? `Oldest waiting since ${formatDateTime(oldest, { zone: true })}` : "Nothing waiting"}
      </p>
    </section>
  );
}

/** The two outboxes side by side: what waits, what is being retried, what was given up. */
export function Backlog({
  email,
  webhooks,
}: {
  email: Outputs["outbox"]["backlog"];
  webhooks: Outputs["webhook"]["backlog"];
}) {
  return (
    <div className="mb-6 grid gap-4 sm:grid-cols-2">
      <Card title="Emails" oldest={email.oldestWaitingSince}>
        <Figure label="Waiting" value={email.waiting} />
        <Figure label="Failing, retried" value={email.failing} warn />
        <Figure label="Failed, retry by hand" value={email.failed} warn />
      </Card>
      <Card title="Webhooks" oldest={webhooks.oldestWaitingSince}>
        <Figure label="Waiting" value={webhooks.waiting} />
        <Figure label="Failing, retried" value={webhooks.retrying} warn />
        <Figure label="Endpoints disabled" value={webhooks.endpointsDisabled} warn />
      </Card>
    </div>
  );
}
