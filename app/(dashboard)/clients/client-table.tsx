"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import { ErrorNotice, LoadMoreFooter } from "../../_components/ui";
import type { clientStateLabels, verificationLabels } from "../../_components/vocabulary";
import { BulkActions } from "./bulk-actions";
import { loadMoreClients } from "./load-more";
import type { ClientRow, ClientRowsPage as Page } from "./rows";

/**
 * The clients table: the server renders the first page with the page itself;
 * "Load more" appends the next pages through a server action. Keyed by the
 * filters, so a new search starts again from the first page.
 */
/** The words for the rows' states and verification statuses, sent by the page with the rows (the browser loads no label tables). */
export interface ClientLabels {
  state: typeof clientStateLabels;
  verification: typeof verificationLabels;
}

export function ClientTable({
  query,
  first,
  filtered,
  labels,
  canAct,
}: {
  query: string;
  first: Page;
  filtered: boolean;
  labels: ClientLabels;
  /** Operations and admins get every bulk action; a KAM exports the selection only. */
  canAct: boolean;
}) {
  const [more, setMore] = useState<Page[]>([]);
  // The ticked rows, each with the version (updated_at) the row showed when ticked.
  const [selected, setSelected] = useState<Map<string, string>>(new Map());
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<ReactNode>();
  const rows = [first, ...more].flatMap((p) => p.rows);
  const nextCursor = (more.at(-1) ?? first).nextCursor;
  const allTicked = rows.length > 0 && rows.every((r) => selected.has(r.id));

  function toggle(row: ClientRow, on: boolean) {
    setSelected((current) => {
      const next = new Map(current);
      if (on) next.set(row.id, row.updatedAt);
      else next.delete(row.id);
      return next;
    });
  }

  async function loadMore() {
    if (!nextCursor || loading) return;
    setLoading(true);
    try {
      const result = await loadMoreClients(query, nextCursor);
      if (result.ok) {
        setMore((pages) => [...pages, result.value]);
        setProblem(undefined);
      } else if (result.action) {
        setProblem(
          <>
            {result.message}{" "}
            <a href={result.action.href} className="font-medium underline">
              {result.action.label}
            </a>
          </>,
        );
      } else {
        setProblem(result.message);
      }
    } catch {
      setProblem("The next clients could not be loaded; check the connection and try again.");
    } finally {
      setLoading(false);
    }
  }

  return (
    <>
      <BulkActions
        query={query}
        picked={[...selected].map(([id, updatedAt]) => ({ id, updatedAt }))}
        shownCount={rows.length}
        canAct={canAct}
        onClear={() => setSelected(new Map())}
      />
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Clients{filtered ? " matching the filters" : ""}</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="w-8 px-3 py-2">
                <input
                  type="checkbox"
                  aria-label="Select every client shown"
                  checked={allTicked}
                  onChange={(e) => {
                    const on = e.target.checked;
                    setSelected(on ? new Map(rows.map((r) => [r.id, r.updatedAt])) : new Map());
                  }}
                  className="size-4 accent-indigo-700"
                />
              </th>
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
              <tr key={c.id} className={selected.has(c.id) ? "bg-indigo-50" : "hover:bg-slate-50"}>
                <td className="px-3 py-2">
                  <input
                    type="checkbox"
                    aria-label={`Select ${c.email}`}
                    checked={selected.has(c.id)}
                    onChange={(e) => toggle(c, e.target.checked)}
                    className="size-4 accent-indigo-700"
                  />
                </td>
                <td className="px-3 py-2">
                  <Link
                    href={`/clients/${c.id}`}
                    prefetch={false}
                    className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
                  >
                    {c.email}
                  </Link>
                </td>
                <td className="px-3 py-2">{c.name || <span className="text-slate-500">—</span>}</td>
                <td className="px-3 py-2">{c.partnerName}</td>
                <td className="px-3 py-2">
                  <StateBadge state={c.state} label={labels.state[c.state]} />
                </td>
                <td className="px-3 py-2">{labels.verification[c.verification]}</td>
                <td className="px-3 py-2 tabular-nums">{c.level}</td>
                <td className="px-3 py-2">{c.countryCode ?? <span className="text-slate-500">—</span>}</td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{c.created}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {problem && (
        <div className="mt-4">
          <ErrorNotice>{problem}</ErrorNotice>
        </div>
      )}
      <LoadMoreFooter
        shown={rows.length}
        noun={["client", "clients"]}
        hasMore={nextCursor !== null}
        loading={loading}
        onLoadMore={() => void loadMore()}
      />
    </>
  );
}

function StateBadge({ state, label }: { state: ClientRow["state"]; label: string }) {
  const tone =
    state === "active"
      ? "bg-emerald-50 text-emerald-800 ring-emerald-200"
      : state === "suspended"
        ? "bg-amber-50 text-amber-900 ring-amber-200"
        : "bg-rose-50 text-rose-800 ring-rose-200";
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tone}`}>{label}</span>;
}

function Th({ children }: { children: ReactNode }) {
  return (
    <th scope="col" className="px-3 py-2">
      {children}
    </th>
  );
}
