"use client";

import { Fragment, useEffect, useEffectEvent, useState, type ReactNode } from "react";
import type { ActionResult, Refusal } from "@/server/api/server-caller";
import { ErrorNotice, LoadMoreFooter } from "./ui";

/** One keyset page of a list: its rows, rendered on the server, how many, and where the next page starts. */
export interface RowsPage {
  rows: ReactNode;
  count: number;
  nextCursor: string | null;
}

/** A list page's "Load more" server action, bound to the page's filters. */
type LoadMore = (cursor: string) => Promise<ActionResult<RowsPage>>;

const offline: Refusal = {
  ok: false,
  kind: "failed",
  message: "The next page could not be loaded; check the connection and try again.",
  fieldErrors: {},
};

/**
 * The table of a back-office list. The server renders the first page with the
 * page itself; "Load more" appends the next pages, rendered on the server too
 * by the page's server action. When the server sends a fresh first page (after
 * a change, or the page refreshing itself), the pages loaded after it are
 * fetched again, so every row on screen is current. A new search (`query`)
 * starts from its own first page. The table is not remounted for it: a row
 * still listed keeps its island's state (an open dialog, a typed reason).
 */
export function PagedTable({
  query,
  caption,
  head,
  first,
  loadMore,
  noun,
}: {
  query: string;
  caption: string;
  head: ReactNode;
  first: RowsPage;
  loadMore: LoadMore;
  noun: [singular: string, plural: string];
}) {
  const [more, setMore] = useState<RowsPage[]>([]);
  const [problem, setProblem] = useState<Refusal>();
  const [shownFor, setShownFor] = useState(query);
  if (shownFor !== query) {
    setShownFor(query);
    setMore([]);
    setProblem(undefined);
  }
  const [loading, setLoading] = useState(false);
  const nextCursor = (more.at(-1) ?? first).nextCursor;
  const shown = [first, ...more].reduce((n, p) => n + p.count, 0);

  async function next() {
    if (!nextCursor || loading) return;
    setLoading(true);
    try {
      const result = await loadMore(nextCursor);
      if (result.ok) setMore((pages) => [...pages, result.value]);
      setProblem(result.ok ? undefined : result);
    } catch {
      setProblem(offline);
    } finally {
      setLoading(false);
    }
  }

  const reloadMore = useEffectEvent(async () => {
    if (more.length === 0) return;
    const pages: RowsPage[] = [];
    let cursor = first.nextCursor;
    while (cursor && pages.length < more.length) {
      const result = await loadMore(cursor).catch(() => offline);
      if (!result.ok) return setProblem(result);
      pages.push(result.value);
      cursor = result.value.nextCursor;
    }
    setMore(pages);
  });
  useEffect(() => void reloadMore(), [first]);

  return (
    <>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={loading}>
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>{head}</tr>
          </thead>
          <tbody className="divide-y divide-slate-100 align-top">
            {first.rows}
            {more.map((page, i) => (
              <Fragment key={i}>{page.rows}</Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {problem && (
        <div className="mt-4">
          <ErrorNotice>
            {problem.message}
            {problem.action && (
              <>
                {" "}
                <a href={problem.action.href} className="font-medium underline">
                  {problem.action.label}
                </a>
              </>
            )}
          </ErrorNotice>
        </div>
      )}
      <LoadMoreFooter
        shown={shown}
        noun={noun}
        hasMore={nextCursor !== null}
        loading={loading}
        onLoadMore={() => void next()}
      />
    </>
  );
}
