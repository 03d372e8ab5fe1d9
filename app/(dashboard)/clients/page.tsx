"use client";

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState, type ReactNode } from "react";
import { COUNTRY_CODES } from "@/server/registration/countries";
import { clientFiltersSchema, filterParamsOf, searchParamsOf, type ClientSort } from "@/server/clients/schemas";
import { fieldErrorsFromIssues } from "@/server/errors";
import { messageOf, useTRPC } from "../../_components/trpc";
import { Button, EmptyState, ErrorNotice, Field, inputClass, LoadMoreFooter, PageHeader, Spinner } from "../../_components/ui";

type FilterKey = "q" | "partnerId" | "state" | "verificationStatus" | "verificationLevel" | "countryCode" | "createdFrom" | "createdTo" | "sort";

const SEARCH_DELAY_MS = 300;
const PAGE_SIZE = 50;

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
const countryOptions = [...COUNTRY_CODES].map((code) => ({ code, name: regionNames.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name));
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

const sortLabels: Record<ClientSort, string> = { created_desc: "Newest first", created_asc: "Oldest first", email_asc: "Email A–Z" };
const stateLabels = { active: "Active", suspended: "Suspended", blocked: "Blocked" } as const;
const verificationLabels = { not_verified: "Not verified", email_verified: "Email verified", phone_verified: "Phone verified", identified: "Identified" } as const;

function StateBadge({ state }: { state: keyof typeof stateLabels }) {
  const tone = state === "active" ? "bg-emerald-50 text-emerald-800 ring-emerald-200" : state === "suspended" ? "bg-amber-50 text-amber-900 ring-amber-200" : "bg-rose-50 text-rose-800 ring-rose-200";
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tone}`}>{stateLabels[state]}</span>;
}

export default function ClientsPage() {
  return (
    <Suspense fallback={<Spinner label="Loading clients" />}>
      <ClientsView />
    </Suspense>
  );
}

/** Filters live in the URL, so a view can be shared, bookmarked and reloaded. */
function useUrlFilters() {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const raw = filterParamsOf(new URLSearchParams(searchParams.toString()));
  // The native History API changes the address at once (Next.js keeps useSearchParams in step with it).
  // router.replace changes it only when its transition ends, so a second filter chosen before then
  // read the old address and silently dropped the first one.
  const replace = (query: string) => window.history.replaceState(null, "", query ? `${pathname}?${query}` : pathname);
  function update(changes: Partial<Record<FilterKey, string>>) {
    // Read the address at call time: a delayed search must not undo a filter chosen meanwhile.
    const next: Record<string, string | undefined> = { ...filterParamsOf(new URLSearchParams(window.location.search)), ...changes };
    replace(searchParamsOf(next).toString());
  }
  return { raw, update, reset: () => replace("") };
}

function ClientsView() {
  const trpc = useTRPC();
  const { raw, update, reset } = useUrlFilters();
  const parsed = clientFiltersSchema.safeParse(raw);
  const filterErrors: Record<string, string> = parsed.success ? {} : Object.fromEntries(fieldErrorsFromIssues(parsed.error.issues).map((f) => [f.path, f.message]));
  const filters = parsed.success ? parsed.data : undefined;

  // The search box updates the URL once typing pauses, not on every key.
  const urlQ = raw.q ?? "";
  const [q, setQ] = useState(urlQ);
  useEffect(() => setQ((typed) => (typed.trim() === urlQ ? typed : urlQ)), [urlQ]);
  useEffect(() => {
    if (q.trim() === urlQ) return;
    const timer = setTimeout(() => update({ q: q.trim() }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [q, urlQ]);

  const partnerOptions = useQuery(trpc.partner.options.queryOptions());
  const list = useInfiniteQuery(
    trpc.client.list.infiniteQueryOptions(
      { ...(filters ?? { sort: "created_desc" as const }), limit: PAGE_SIZE },
      { enabled: parsed.success, getNextPageParam: (last) => last.nextCursor, placeholderData: keepPreviousData },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const exportQuery = parsed.success ? searchParamsOf(raw).toString() : "";
  const filtered = Object.keys(raw).some((k) => k !== "sort");

  const select = (key: FilterKey, label: string, options: Array<{ value: string; label: string }>, anyLabel = "Any") => (
    <Field label={label} error={filterErrors[key]}>
      {(p) => (
        <select {...p} value={raw[key] ?? ""} onChange={(e) => update({ [key]: e.target.value })} className={inputClass}>
          {anyLabel && <option value="">{anyLabel}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <div>
      <PageHeader
        title="Clients"
        description="Search and filter the clients of every partner you can see."
        actions={
          parsed.success ? (
            <a href={`/api/clients/export${exportQuery ? `?${exportQuery}` : ""}`} download className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700">
              Export CSV
            </a>
          ) : undefined
        }
      />

      <form role="search" aria-label="Filter clients" onSubmit={(e) => e.preventDefault()} className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4">
        <div className="sm:col-span-2">
          <Field label="Search" hint="Start of the email, first name, full name or last name" error={filterErrors.q}>
            {(p) => <input {...p} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="jane@ or Jane Do" autoComplete="off" className={inputClass} />}
          </Field>
        </div>
        {select(
          "partnerId",
          "Partner",
          (partnerOptions.data ?? []).map((p) => ({ value: String(p.id), label: `${p.name} (${p.id})` })),
          partnerOptions.isPending ? "Loading partners…" : "All partners",
        )}
        {select("sort", "Sort by", Object.entries(sortLabels).map(([value, label]) => ({ value, label })), "")}
        {select("state", "State", Object.entries(stateLabels).map(([value, label]) => ({ value, label })))}
        {select("verificationStatus", "Verification status", Object.entries(verificationLabels).map(([value, label]) => ({ value, label })))}
        {select("verificationLevel", "Verification level", [0, 1, 2, 3, 4, 5].map((l) => ({ value: String(l), label: String(l) })))}
        {select("countryCode", "Country", countryOptions.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` })))}
        <Field label="Created from" error={filterErrors.createdFrom} hint="UTC date">
          {(p) => <input {...p} type="date" value={raw.createdFrom ?? ""} onChange={(e) => update({ createdFrom: e.target.value })} className={inputClass} />}
        </Field>
        <Field label="Created to" error={filterErrors.createdTo} hint="UTC date, inclusive">
          {(p) => <input {...p} type="date" value={raw.createdTo ?? ""} onChange={(e) => update({ createdTo: e.target.value })} className={inputClass} />}
        </Field>
        <div className="flex items-end">
          <Button variant="secondary" onClick={() => (setQ(""), reset())} disabled={Object.keys(raw).length === 0}>
            Clear filters
          </Button>
        </div>
      </form>

      {!parsed.success ? (
        <ErrorNotice>Some filters are not valid; correct the highlighted fields.</ErrorNotice>
      ) : list.isPending ? (
        <Spinner label="Loading clients" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "No clients match these filters" : "No clients yet"}>{filtered ? "Try a shorter search or fewer filters." : "Clients appear here once partners register them."}</EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={list.isFetching}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Clients{filtered ? " matching the filters" : ""}</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <Th>Email</Th>
                  <Th>Name</Th>
                  <Th>Partner</Th>
                  <Th>State</Th>
                  <Th>Verification</Th>
                  <Th>Level</Th>
                  <Th>Country</Th>
                  <Th>Created (UTC)</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((c) => (
                  <tr key={c.id} className="hover:bg-slate-50">
                    <td className="px-3 py-2">
                      <Link href={`/clients/${c.id}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700">
                        {c.email}
                      </Link>
                    </td>
                    <td className="px-3 py-2">{[c.firstName, c.lastName].filter(Boolean).join(" ") || <span className="text-slate-500">—</span>}</td>
                    <td className="px-3 py-2">{c.partnerName}</td>
                    <td className="px-3 py-2">
                      <StateBadge state={c.profileState} />
                    </td>
                    <td className="px-3 py-2">{verificationLabels[c.verificationStatus]}</td>
                    <td className="px-3 py-2 tabular-nums">{c.verificationLevel}</td>
                    <td className="px-3 py-2">{c.countryCode ?? <span className="text-slate-500">—</span>}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{dateTime.format(c.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreFooter shown={rows.length} noun={["client", "clients"]} hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => list.fetchNextPage()} />
        </>
      )}
    </div>
  );
}

function Th({ children }: { children: ReactNode }) {
  return (
    <th scope="col" className="px-3 py-2">
      {children}
    </th>
  );
}
