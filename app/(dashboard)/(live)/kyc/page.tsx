"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { REVIEW_QUEUES } from "@/server/kyc/schemas";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { EmptyState, ErrorNotice, Field, inputClass, LoadMoreFooter, PageHeader, Spinner } from "../../../_components/ui";
import { PartnerFilter } from "../../../_components/partner-filter";
import { age, providerLabels, queueLabels } from "./labels";

type Queue = (typeof REVIEW_QUEUES)[number];
const PAGE_SIZE = 50;
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** Re-renders every 15 seconds so the ages stay true while the page is open. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export default function KycReviewPage() {
  const trpc = useTRPC();
  const now = useNow();
  const [queue, setQueue] = useState<"" | Queue>("");
  const [partnerId, setPartnerId] = useState("");

  const list = useInfiniteQuery(
    trpc.kyc.queue.infiniteQueryOptions(
      { ...(queue ? { queue } : {}), ...(partnerId ? { partnerId: Number(partnerId) } : {}), limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor, placeholderData: keepPreviousData, refetchInterval: 30_000 },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = queue !== "" || partnerId !== "";

  return (
    <div>
      <PageHeader title="KYC review" description="Verifications waiting for a decision: submitted (pending), on hold, or rejected with a retry allowed. Oldest first." />

      <form aria-label="Filter the KYC review queue" onSubmit={(e) => e.preventDefault()} className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <Field label="Queue">
          {(p) => (
            <select {...p} value={queue} onChange={(e) => setQueue(e.target.value as "" | Queue)} className={inputClass}>
              <option value="">All queues</option>
              {REVIEW_QUEUES.map((q) => (
                <option key={q} value={q}>
                  {queueLabels[q]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <PartnerFilter value={partnerId} onChange={setPartnerId} />
      </form>

      {list.isPending ? (
        <Spinner label="Loading the review queue" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "Nothing to review for these filters" : "Nothing to review"}>Verifications appear here once a client submits their documents.</EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={list.isFetching}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">KYC review queue</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">Client</th>
                  <th scope="col" className="px-3 py-2">Name</th>
                  <th scope="col" className="px-3 py-2">Partner</th>
                  <th scope="col" className="px-3 py-2">Queue</th>
                  <th scope="col" className="px-3 py-2">Waiting</th>
                  <th scope="col" className="px-3 py-2">Provider</th>
                  <th scope="col" className="px-3 py-2">Labels</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((row) => (
                  <tr key={row.clientId} className="hover:bg-slate-50">
                    <td className="px-3 py-2">
                      <Link href={`/kyc/${row.clientId}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700">
                        {row.email}
                      </Link>
                    </td>
                    <td className="px-3 py-2">{[row.firstName, row.lastName].filter(Boolean).join(" ") || "—"}</td>
                    <td className="px-3 py-2">
                      {row.partnerName} ({row.partnerId})
                    </td>
                    <td className="whitespace-nowrap px-3 py-2">{queueLabels[row.queue]}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums" title={`Since ${dateTime.format(row.waitingSince)} UTC`}>
                      {age(row.waitingSince, now)}
                    </td>
                    <td className="px-3 py-2">{providerLabels[row.provider]}</td>
                    <td className="px-3 py-2 font-mono text-xs">{row.rejectLabels.join(", ") || <span className="font-sans text-slate-500">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreFooter shown={rows.length} noun={["verification", "verifications"]} hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => list.fetchNextPage()} />
        </>
      )}
    </div>
  );
}
