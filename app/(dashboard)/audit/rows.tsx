import type { ProcedureOutputs } from "@/server/api/server-caller";
import Link from "next/link";
import type { AUDIT_FILTER_KEYS, AuditActorType } from "@/server/audit/schemas";
import type { RowsPage } from "../../_components/paged-table";
import { Muted } from "../../_components/section";
import { formatDateTime } from "../../_components/vocabulary";
import { wholeNumber } from "../../_components/list-page";

type AuditPage = ProcedureOutputs["audit"]["list"];
type AuditEvent = AuditPage["items"][number];
type AuditFilters = Partial<Record<(typeof AUDIT_FILTER_KEYS)[number], string>>;

const AUDIT_PAGE_SIZE = 50;

/** The address's filters as `audit.list` takes them; its schema checks them. */
export function auditListInput(filters: AuditFilters, cursor?: string) {
  return {
    ...filters,
    actorType: filters.actorType as AuditActorType | undefined,
    partnerId: wholeNumber(filters.partnerId),
    cursor,
    limit: AUDIT_PAGE_SIZE,
  };
}

/** A page of events as the table shows it (the page renders the first, "Load more" the next ones). */
export function auditRowsPage(page: AuditPage): RowsPage {
  return { rows: <AuditRows events={page.items} />, count: page.items.length, nextCursor: page.nextCursor ?? null };
}

function AuditRows({ events }: { events: AuditEvent[] }) {
  return events.map((e) => (
    <tr key={e.id} className="hover:bg-slate-50">
      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(e.at, { seconds: true })}</td>
      <td className="px-3 py-2">
        <ActorCell event={e} />
      </td>
      <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{e.action}</td>
      <td className="px-3 py-2">
        <EntityCell event={e} />
      </td>
      <td className="px-3 py-2">
        {e.partnerId === null ? <Muted /> : `${e.partnerName ?? "Partner"} (${e.partnerId})`}
      </td>
      <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{e.ip ?? <Muted />}</td>
      <td className="px-3 py-2">
        <DetailsCell event={e} />
      </td>
    </tr>
  ));
}

function ActorCell({ event: e }: { event: AuditEvent }) {
  if (e.actorType === "staff") {
    return (
      <>
        <span className="block font-medium text-slate-900">{e.actorName ?? "Unknown staff member"}</span>
        <span className="block text-xs text-slate-600">{e.actorDetail ?? e.actorId}</span>
      </>
    );
  }
  if (e.actorType === "api_key") {
    return (
      <>
        <span className="block font-medium text-slate-900">API key {e.actorName ? `“${e.actorName}”` : ""}</span>
        <span className="block font-mono text-xs text-slate-600">
          {e.actorDetail ? `${e.actorDetail}…` : e.actorId}
        </span>
      </>
    );
  }
  if (e.actorType === "client") {
    return (
      <>
        <span className="block font-medium text-slate-900">Client</span>
        {e.actorId && <IdLink href={`/clients/${e.actorId}`} id={e.actorId} />}
      </>
    );
  }
  if (e.actorType === "system") {
    return (
      <>
        <span className="block font-medium text-slate-900">System</span>
        {e.actorId && <span className="block font-mono text-xs text-slate-600">{e.actorId}</span>}
      </>
    );
  }
  return <span className="text-slate-700">Anonymous</span>;
}

function EntityCell({ event: e }: { event: AuditEvent }) {
  if (!e.entityType) return <Muted />;
  return (
    <>
      <span className="block">{e.entityType}</span>
      {e.entityLabel && <span className="block text-xs text-slate-600">{e.entityLabel}</span>}
      {e.entityId &&
        (e.entityType === "client" ? (
          <IdLink href={`/clients/${e.entityId}`} id={e.entityId} />
        ) : (
          <span className="block break-all font-mono text-xs text-slate-600">{e.entityId}</span>
        ))}
    </>
  );
}

/** Before/after and the request id, folded away: most rows are read by their action alone. */
function DetailsCell({ event: e }: { event: AuditEvent }) {
  const parts: Array<[string, string]> = [];
  if (e.before !== null && e.before !== undefined) parts.push(["Before", JSON.stringify(e.before, null, 2)]);
  if (e.after !== null && e.after !== undefined) parts.push(["After", JSON.stringify(e.after, null, 2)]);
  if (e.requestId) parts.push(["Request id", e.requestId]);
  if (parts.length === 0) return <Muted />;
  return (
    <details className="max-w-sm">
      <summary className="cursor-pointer text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-700">
        Show
      </summary>
      <dl className="mt-2 space-y-2">
        {parts.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs font-semibold uppercase tracking-wide text-slate-600">{label}</dt>
            <dd>
              <pre className="whitespace-pre-wrap break-all font-mono text-xs text-slate-800">{value}</pre>
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function IdLink({ href, id }: { href: string; id: string }) {
  return (
    <Link
      href={href}
      className="block break-all font-mono text-xs text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
    >
      {id}
    </Link>
  );
}
