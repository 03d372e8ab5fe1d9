"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, ConfirmDialog, EmptyState, ErrorNotice, Field, inputClass, PageHeader, Spinner } from "../../../_components/ui";
import { PartnerFilter } from "../../../_components/partner-filter";

type Kind = "registration" | "email";
const PAGE_SIZE = 50;
const kindLabels: Record<Kind, string> = { registration: "Partner API registration", email: "White-label email" };

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto", style: "short" });
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "3 min ago", "in 7 min", "2 days ago". */
function fromNow(date: Date, now: number): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, "second");
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

/** Re-renders every 15 seconds so ages and expiries stay true while the page is open. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

interface Target {
  kind: Kind;
  id: string;
  email: string;
}

export default function PendingConfirmationsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const me = useQuery(trpc.account.me.queryOptions());
  const [partnerId, setPartnerId] = useState("");
  const [kind, setKind] = useState<"" | Kind>("");
  const [includeExpired, setIncludeExpired] = useState(false);
  const [cancelling, setCancelling] = useState<Target | null>(null);

  const list = useInfiniteQuery(
    trpc.pending.list.infiniteQueryOptions(
      { ...(partnerId ? { partnerId: Number(partnerId) } : {}), ...(kind ? { kind } : {}), includeExpired, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor, placeholderData: keepPreviousData, refetchInterval: 30_000 },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.pending.list.pathKey() });

  const resend = useMutation(
    trpc.pending.resend.mutationOptions({
      onSuccess: (_, input) => {
        toast.success(input.kind === "registration" ? "A new code is on its way" : "A new confirmation email is on its way");
        return refresh();
      },
      // Cooldown and daily-cap refusals carry the server's wording ("ask again in 42 seconds").
      onError: (error) => toast.error(messageOf(error)),
    }),
  );
  const cancel = useMutation(
    trpc.pending.cancel.mutationOptions({
      onSuccess: () => {
        toast.success("Cancelled: the code no longer works");
        setCancelling(null);
        return refresh();
      },
      onError: (error) => {
        toast.error(messageOf(error));
        setCancelling(null);
      },
    }),
  );

  const canAct = me.data !== undefined && me.data.role !== "kam";
  const filtered = partnerId !== "" || kind !== "";

  return (
    <div>
      <PageHeader title="Pending confirmations" description="Partner-API registrations waiting for their emailed code and white-label clients whose email is not confirmed yet." />

      <form aria-label="Filter pending confirmations" onSubmit={(e) => e.preventDefault()} className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
        <PartnerFilter value={partnerId} onChange={setPartnerId} />
        <Field label="Kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as "" | Kind)} className={inputClass}>
              <option value="">Both kinds</option>
              <option value="registration">{kindLabels.registration}</option>
              <option value="email">{kindLabels.email}</option>
            </select>
          )}
        </Field>
        <div className="flex items-end gap-2 pb-2">
          <input id="include-expired" type="checkbox" checked={includeExpired} onChange={(e) => setIncludeExpired(e.target.checked)} className="size-4 rounded border-slate-300" />
          <label htmlFor="include-expired" className="text-sm font-medium text-slate-800">
            Show expired
          </label>
        </div>
      </form>

      {list.isPending ? (
        <Spinner label="Loading pending confirmations" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "Nothing pending for these filters" : "Nothing is waiting for a code"}>
          {includeExpired ? "Every registration and email has been confirmed or cancelled." : "Tick “Show expired” to see confirmations whose code has run out."}
        </EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={list.isFetching}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Pending confirmations</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">Kind</th>
                  <th scope="col" className="px-3 py-2">Email</th>
                  <th scope="col" className="px-3 py-2">Partner</th>
                  <th scope="col" className="px-3 py-2">Age</th>
                  <th scope="col" className="px-3 py-2">Expires</th>
                  <th scope="col" className="px-3 py-2">Attempts</th>
                  <th scope="col" className="px-3 py-2">Resends</th>
                  <th scope="col" className="px-3 py-2">Sandbox code</th>
                  {canAct && (
                    <th scope="col" className="px-3 py-2">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((row) => {
                  const expired = row.expired || row.expiresAt.getTime() <= now;
                  const busy = (resend.isPending && resend.variables?.id === row.id) || (cancel.isPending && cancel.variables?.id === row.id);
                  return (
                    <tr key={`${row.kind}:${row.id}`} className={expired ? "bg-slate-50 text-slate-600" : "hover:bg-slate-50"}>
                      <td className="whitespace-nowrap px-3 py-2">{kindLabels[row.kind]}</td>
                      <td className="px-3 py-2">
                        {row.clientId ? (
                          <Link href={`/clients/${row.clientId}`} className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700">
                            {row.email}
                          </Link>
                        ) : (
                          <span className="font-medium">{row.email}</span>
                        )}
                        {row.alreadyClient && <span className="ml-2 text-xs text-slate-600">(already a client: was sent an “account exists” email)</span>}
                      </td>
                      <td className="px-3 py-2">
                        {row.partner.name}
                        {row.partner.sandbox && <span className="ml-1 text-xs text-slate-600">· sandbox</span>}
                      </td>
                      <td className="whitespace-nowrap px-3 py-2" title={dateTime.format(row.createdAt) + " UTC"}>
                        {fromNow(row.createdAt, now)}
                      </td>
                      <td className="whitespace-nowrap px-3 py-2" title={dateTime.format(row.expiresAt) + " UTC"}>
                        {expired ? <span className="inline-flex rounded-full bg-rose-50 px-2 py-0.5 text-xs font-medium text-rose-800 ring-1 ring-rose-200">Expired</span> : fromNow(row.expiresAt, now)}
                      </td>
                      <td className="px-3 py-2 tabular-nums">{row.attempts}</td>
                      <td className="px-3 py-2 tabular-nums">{row.resendCount}</td>
                      <td className="px-3 py-2 font-mono">{row.sandboxCode ?? <span className="font-sans text-slate-500">—</span>}</td>
                      {canAct && (
                        <td className="whitespace-nowrap px-3 py-2">
                          <div className="flex justify-end gap-2">
                            {row.kind === "registration" && expired ? (
                              <span className="text-xs text-slate-600">The client must repeat step 1</span>
                            ) : (
                              <Button variant="secondary" onClick={() => resend.mutate({ kind: row.kind, id: row.id })} disabled={busy} aria-label={`Resend to ${row.email}`}>
                                Resend
                              </Button>
                            )}
                            <Button variant="danger" onClick={() => setCancelling({ kind: row.kind, id: row.id, email: row.email })} disabled={busy} aria-label={`Cancel for ${row.email}`}>
                              Cancel
                            </Button>
                          </div>
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="mt-4 flex items-center gap-4">
            <p role="status" className="text-sm text-slate-600">
              Showing {rows.length} pending confirmation{rows.length === 1 ? "" : "s"}
              {list.hasNextPage ? "; there are more" : ""}.
            </p>
            {list.hasNextPage && (
              <Button variant="secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            )}
          </div>
        </>
      )}

      <ConfirmDialog
        open={cancelling !== null}
        title="Cancel this confirmation?"
        confirmLabel="Cancel confirmation"
        busy={cancel.isPending}
        onConfirm={() => cancelling && cancel.mutate({ kind: cancelling.kind, id: cancelling.id })}
        onCancel={() => setCancelling(null)}
      >
        {cancelling?.kind === "registration"
          ? `The code sent to ${cancelling.email} stops working at once; to register, the client must start again from step 1.`
          : `The confirmation code and link sent to ${cancelling?.email ?? ""} stop working at once. The client stays unconfirmed until a new email is sent.`}
      </ConfirmDialog>
    </div>
  );
}
