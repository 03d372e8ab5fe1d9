"use client";

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import type { AppRouter } from "@/server/api/root";
import { auditActorTypeSchema, auditFilterParamsOf, auditFiltersSchema, auditSearchParamsOf, type AuditActorType, type AuditFilterKey } from "@/server/audit/schemas";
import { fieldErrorsFromIssues } from "@/server/errors";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, EmptyState, ErrorNotice, Field, inputClass, LoadMoreFooter, PageHeader, Spinner } from "../../../_components/ui";
import { PartnerFilter } from "../../../_components/partner-filter";

type AuditEvent = inferRouterOutputs<AppRouter>["audit"]["list"]["items"][number];

const PAGE_SIZE = 50;
const TYPING_DELAY_MS = 300;
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

const actorTypeLabels: Record<AuditActorType, string> = {
  staff: "Any staff member",
  api_key: "Any API key",
  client: "Any client",
  system: "System",
  anonymous: "Anonymous (sign-in attempts)",
};

/** Filters live in the URL, so a view can be shared, bookmarked and reloaded (as on the Clients page). */
function useUrlFilters() {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const raw = auditFilterParamsOf(new URLSearchParams(searchParams.toString()));
  // The History API changes the address at once; router.replace would lose a filter chosen before its transition ends.
  const replace = (query: string) => window.history.replaceState(null, "", query ? `${pathname}?${query}` : pathname);
  function update(changes: Partial<Record<AuditFilterKey, string>>) {
    // Read the address at call time: a delayed text filter must not undo a filter chosen meanwhile.
    const next = { ...auditFilterParamsOf(new URLSearchParams(window.location.search)), ...changes };
    replace(auditSearchParamsOf(next).toString());
  }
  return { raw, update, reset: () => replace("") };
}

/** A text filter that reaches the URL once typing pauses, not on every key. */
function useTypedFilter(urlValue: string, commit: (value: string) => void) {
  const [typed, setTyped] = useState(urlValue);
  useEffect(() => setTyped((t) => (t.trim() === urlValue ? t : urlValue)), [urlValue]);
  useEffect(() => {
    if (typed.trim() === urlValue) return;
    const timer = setTimeout(() => commit(typed.trim()), TYPING_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed, urlValue]);
  return [typed, setTyped] as const;
}

export function AuditLog() {
  const trpc = useTRPC();
  const { raw, update, reset } = useUrlFilters();
  const parsed = auditFiltersSchema.safeParse(raw);
  const filterErrors: Record<string, string> = parsed.success ? {} : Object.fromEntries(fieldErrorsFromIssues(parsed.error.issues).map((f) => [f.path, f.message]));

  const [actorId, setActorId] = useTypedFilter(raw.actorId ?? "", (value) => update({ actorId: value }));
  const [entityId, setEntityId] = useTypedFilter(raw.entityId ?? "", (value) => update({ entityId: value }));

  const staff = useQuery(trpc.staff.list.queryOptions());
  const facets = useQuery(trpc.audit.facets.queryOptions());
  const list = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { ...(parsed.success ? parsed.data : {}), limit: PAGE_SIZE },
      { enabled: parsed.success, getNextPageParam: (last) => last.nextCursor, placeholderData: keepPreviousData },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(raw).length > 0;
  const exportQuery = parsed.success ? auditSearchParamsOf(raw).toString() : "";

  // One picker for the actor: a staff member by name, or any actor of a kind.
  const actorValue = raw.actorType ? (raw.actorType === "staff" && raw.actorId ? `staff:${raw.actorId}` : raw.actorType) : "";
  const staffMembers = staff.data ?? [];
  const unknownStaffActor = raw.actorType === "staff" && raw.actorId && !staffMembers.some((s) => s.id === raw.actorId);
  function chooseActor(value: string) {
    const [type = "", id = ""] = value.split(":");
    update({ actorType: type, actorId: id });
  }
  const actorNeedsId = raw.actorType === "api_key" || raw.actorType === "client";

  const withCurrent = (values: string[], current: string | undefined) => (current && !values.includes(current) ? [current, ...values] : values);

  return (
    <div>
      <PageHeader
        title="Audit log"
        description="Every staff action and security event, newest first: sign-ins and failed sign-ins, lockouts, changes to clients, partners, keys and staff. Events cannot be changed or removed."
        actions={
          parsed.success ? (
            <a
              href={`/api/audit/export${exportQuery ? `?${exportQuery}` : ""}`}
              download
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
            >
              Export CSV
            </a>
          ) : undefined
        }
      />

      <form role="search" aria-label="Filter audit events" onSubmit={(e) => e.preventDefault()} className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field label="Actor" error={filterErrors.actorType}>
          {(p) => (
            <select {...p} value={actorValue} onChange={(e) => chooseActor(e.target.value)} className={inputClass}>
              <option value="">Anyone</option>
              <optgroup label="Staff members">
                {unknownStaffActor && <option value={`staff:${raw.actorId}`}>Staff member {raw.actorId}</option>}
                {staffMembers.map((s) => (
                  <option key={s.id} value={`staff:${s.id}`}>
                    {s.name} ({s.email})
                  </option>
                ))}
              </optgroup>
              <optgroup label="Kinds of actor">
                {auditActorTypeSchema.options.map((type) => (
                  <option key={type} value={type}>
                    {actorTypeLabels[type]}
                  </option>
                ))}
              </optgroup>
            </select>
          )}
        </Field>
        {actorNeedsId && (
          <Field label={raw.actorType === "api_key" ? "API key id" : "Client id"} hint="Leave empty for any" error={filterErrors.actorId}>
            {(p) => <input {...p} value={actorId} onChange={(e) => setActorId(e.target.value)} autoComplete="off" spellCheck={false} className={`${inputClass} font-mono`} />}
          </Field>
        )}
        <Field label="Action" error={filterErrors.action}>
          {(p) => (
            <select {...p} value={raw.action ?? ""} onChange={(e) => update({ action: e.target.value })} className={inputClass}>
              <option value="">{facets.isPending ? "Loading actions…" : "Any action"}</option>
              {withCurrent(facets.data?.actions ?? [], raw.action).map((action) => (
                <option key={action} value={action}>
                  {action}
                </option>
              ))}
            </select>
          )}
        </Field>
        <PartnerFilter value={raw.partnerId ?? ""} onChange={(partnerId) => update({ partnerId })} error={filterErrors.partnerId} />
        <Field label="Entity type" error={filterErrors.entityType}>
          {(p) => (
            <select {...p} value={raw.entityType ?? ""} onChange={(e) => update({ entityType: e.target.value })} className={inputClass}>
              <option value="">{facets.isPending ? "Loading entity types…" : "Any entity"}</option>
              {withCurrent(facets.data?.entityTypes ?? [], raw.entityType).map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Entity id" hint="With an entity type: a client, staff, partner or key id" error={filterErrors.entityId}>
          {(p) => <input {...p} value={entityId} onChange={(e) => setEntityId(e.target.value)} autoComplete="off" spellCheck={false} className={`${inputClass} font-mono`} />}
        </Field>
        <Field label="From" hint="UTC date" error={filterErrors.from}>
          {(p) => <input {...p} type="date" value={raw.from ?? ""} onChange={(e) => update({ from: e.target.value })} className={inputClass} />}
        </Field>
        <Field label="To" hint="UTC date, inclusive" error={filterErrors.to}>
          {(p) => <input {...p} type="date" value={raw.to ?? ""} onChange={(e) => update({ to: e.target.value })} className={inputClass} />}
        </Field>
        <div className="flex items-end">
          <Button variant="secondary" onClick={() => (setActorId(""), setEntityId(""), reset())} disabled={!filtered}>
            Clear filters
          </Button>
        </div>
      </form>

      {!parsed.success ? (
        <ErrorNotice>Some filters are not valid; correct the highlighted fields.</ErrorNotice>
      ) : list.isPending ? (
        <Spinner label="Loading audit events" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "No events match these filters" : "No events yet"}>{filtered ? "Try fewer filters or a wider date range." : "Events appear here as staff work and people sign in."}</EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={list.isFetching}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Audit events{filtered ? " matching the filters" : ""}</caption>
              <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <Th>When (UTC)</Th>
                  <Th>Actor</Th>
                  <Th>Action</Th>
                  <Th>Entity</Th>
                  <Th>Partner</Th>
                  <Th>IP</Th>
                  <Th>Details</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {rows.map((e) => (
                  <tr key={e.id} className="hover:bg-slate-50">
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{dateTime.format(e.at)}</td>
                    <td className="px-3 py-2">
                      <ActorCell event={e} />
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{e.action}</td>
                    <td className="px-3 py-2">
                      <EntityCell event={e} />
                    </td>
                    <td className="px-3 py-2">{e.partnerId === null ? <Muted>—</Muted> : `${e.partnerName ?? "Partner"} (${e.partnerId})`}</td>
                    <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{e.ip ?? <Muted>—</Muted>}</td>
                    <td className="px-3 py-2">
                      <DetailsCell event={e} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreFooter shown={rows.length} noun={["event", "events"]} hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => list.fetchNextPage()} />
        </>
      )}
    </div>
  );
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
        <span className="block font-mono text-xs text-slate-600">{e.actorDetail ? `${e.actorDetail}…` : e.actorId}</span>
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
  if (!e.entityType) return <Muted>—</Muted>;
  return (
    <>
      <span className="block">{e.entityType}</span>
      {e.entityLabel && <span className="block text-xs text-slate-600">{e.entityLabel}</span>}
      {e.entityId && (e.entityType === "client" ? <IdLink href={`/clients/${e.entityId}`} id={e.entityId} /> : <span className="block break-all font-mono text-xs text-slate-600">{e.entityId}</span>)}
    </>
  );
}

/** Before/after and the request id, folded away: most rows are read by their action alone. */
function DetailsCell({ event: e }: { event: AuditEvent }) {
  const parts: Array<[string, string]> = [];
  if (e.before !== null && e.before !== undefined) parts.push(["Before", JSON.stringify(e.before, null, 2)]);
  if (e.after !== null && e.after !== undefined) parts.push(["After", JSON.stringify(e.after, null, 2)]);
  if (e.requestId) parts.push(["Request id", e.requestId]);
  if (parts.length === 0) return <Muted>—</Muted>;
  return (
    <details className="max-w-sm">
      <summary className="cursor-pointer text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-700">Show</summary>
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
    <Link href={href} className="block break-all font-mono text-xs text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700">
      {id}
    </Link>
  );
}

function Muted({ children }: { children: ReactNode }) {
  return <span className="text-slate-500">{children}</span>;
}

function Th({ children }: { children: ReactNode }) {
  return (
    <th scope="col" className="px-3 py-2">
      {children}
    </th>
  );
}
