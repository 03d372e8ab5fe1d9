"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState, type ReactNode } from "react";
import { outboxListSchema, outboxViewStatusSchema, type OutboxViewStatus } from "@/server/mail/schemas";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, EmptyState, ErrorNotice, Field, inputClass, LoadMoreFooter, PageHeader, Spinner } from "../../../_components/ui";
import { canRetry, DevelopmentMailboxNotice, StatusBadge, statusLabels, useRetryEmail, when } from "./labels";

const PAGE_SIZE = 50;
const TYPING_DELAY_MS = 300;

export function OutboxList({ developmentMailbox }: { developmentMailbox: boolean }) {
  const trpc = useTRPC();
  const [status, setStatus] = useState<"" | OutboxViewStatus>("");
  // The recipient filter applies once typing pauses, and only to a whole address.
  const [recipient, setRecipient] = useState("");
  const [to, setTo] = useState("");
  const [recipientError, setRecipientError] = useState<string | undefined>();
  useEffect(() => {
    const typed = recipient.trim();
    const timer = setTimeout(() => {
      const parsed = outboxListSchema.shape.to.safeParse(typed || undefined);
      setRecipientError(parsed.success ? undefined : parsed.error.issues[0]?.message);
      if (parsed.success) setTo(typed);
    }, TYPING_DELAY_MS);
    return () => clearTimeout(timer);
  }, [recipient]);

  const list = useInfiniteQuery(
    trpc.outbox.list.infiniteQueryOptions(
      { ...(status ? { status } : {}), ...(to ? { to } : {}), limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor, placeholderData: keepPreviousData, refetchInterval: 15_000 },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const retry = useRetryEmail();
  const filtered = status !== "" || to !== "";

  return (
    <div>
      <PageHeader title="Outbox" description="Every email the app sends, newest first: queued, being sent, sent, and those that failed. Retry what failed; open a message to read it as it was sent." />
      {developmentMailbox && <DevelopmentMailboxNotice />}

      <form role="search" aria-label="Filter emails" onSubmit={(e) => e.preventDefault()} className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-[14rem_1fr]">
        <Field label="State">
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus(e.target.value as "" | OutboxViewStatus)} className={inputClass}>
              <option value="">All states</option>
              {outboxViewStatusSchema.options.map((s) => (
                <option key={s} value={s}>
                  {statusLabels[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Recipient" hint="The whole email address" error={recipientError}>
          {(p) => <input {...p} type="search" value={recipient} onChange={(e) => setRecipient(e.target.value)} autoComplete="off" spellCheck={false} className={inputClass} />}
        </Field>
      </form>

      {list.isPending ? (
        <Spinner label="Loading emails" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "No emails match these filters" : "No emails yet"}>{filtered ? "Try another state or address." : "Emails appear here as soon as the app queues them."}</EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={list.isFetching}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Emails{filtered ? " matching the filters" : ""}</caption>
              <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <Th>Email</Th>
                  <Th>Recipient</Th>
                  <Th>Partner</Th>
                  <Th>State</Th>
                  <Th>Attempts</Th>
                  <Th>Last error</Th>
                  <Th>Next attempt (UTC)</Th>
                  <Th>Sent (UTC)</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {rows.map((m) => {
                  const waiting = m.status === "queued" || m.status === "failing";
                  return (
                    <tr key={m.id} className="hover:bg-slate-50">
                      <td className="px-3 py-2">
                        <Link href={`/outbox/${m.id}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700">
                          {m.subject}
                        </Link>
                        <span className="block font-mono text-xs text-slate-600">{m.template}</span>
                        <span className="block text-xs text-slate-600">Queued {when(m.createdAt)}</span>
                      </td>
                      <td className="break-all px-3 py-2">{m.to}</td>
                      <td className="px-3 py-2">{m.partnerId === null ? <Muted>—</Muted> : `${m.partnerName ?? "Partner"} (${m.partnerId})`}</td>
                      <td className="px-3 py-2">
                        <StatusBadge status={m.status} />
                      </td>
                      <td className="px-3 py-2 tabular-nums">{m.attempts}</td>
                      <td className="max-w-xs break-words px-3 py-2 text-xs text-slate-700">{m.lastError ?? <Muted>—</Muted>}</td>
                      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{waiting ? when(m.nextAttemptAt) : <Muted>—</Muted>}</td>
                      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{m.sentAt ? when(m.sentAt) : <Muted>—</Muted>}</td>
                      <td className="px-3 py-2">
                        {canRetry(m.status) && (
                          <Button variant="secondary" disabled={retry.isPending && retry.variables?.id === m.id} onClick={() => retry.mutate({ id: m.id })} aria-label={`Retry the email to ${m.to}`}>
                            Retry
                          </Button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <LoadMoreFooter shown={rows.length} noun={["email", "emails"]} hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => list.fetchNextPage()} />
        </>
      )}
    </div>
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
