"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import type { AppRouter } from "@/server/api/root";
import { staffCancelSubscriptionSchema, SUBSCRIPTION_STATUSES, type SubscriptionStatus } from "@/server/billing/schemas";
import { PartnerFilter } from "../../../_components/partner-filter";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, EmptyState, ErrorNotice, Field, inputClass, LoadMoreFooter, Spinner } from "../../../_components/ui";
import { linkClass, money, SubscriptionStatusBadge, subscriptionStatusHints, when, whenUtc } from "./labels";
import { ListTable, Muted, PAGE_SIZE, ReasonDialog, Th, useEmailFilter, useReasonDialog } from "./list-parts";

type Subscription = inferRouterOutputs<AppRouter>["subscription"]["list"]["items"][number];

/** Only a subscription that is still running can be cancelled. */
const cancellable = (s: Subscription) => s.status === "INIT" || s.status === "ACTIVE";

export function SubscriptionsList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [partnerId, setPartnerId] = useState("");
  const [status, setStatus] = useState<"" | SubscriptionStatus>("");
  const { email, field: emailField } = useEmailFilter();
  const filtered = partnerId !== "" || status !== "" || email !== "";
  const list = useInfiniteQuery(
    trpc.subscription.list.infiniteQueryOptions(
      { ...(partnerId ? { partnerId: Number(partnerId) } : {}), ...(status ? { status } : {}), ...(email ? { email } : {}), limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor, placeholderData: keepPreviousData },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const refresh = () => Promise.all([trpc.invoice.pathKey(), trpc.subscription.pathKey(), trpc.billing.pathKey()].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  const dialog = useReasonDialog<Subscription>(refresh);
  const { target, reason, reasonError, close } = dialog;
  const cancel = useMutation(
    trpc.subscription.cancel.mutationOptions({
      onSuccess: (result) => {
        toast.success(
          result.status === "DEACTIVATING"
            ? `Cancelled the subscription of ${target?.clientEmail}: it runs until ${whenUtc(result.endsAt)}`
            : `Cancelled the subscription of ${target?.clientEmail}: it has ended`,
        );
        close();
        return refresh();
      },
      onError: dialog.failed("subscriptionId"),
    }),
  );

  function confirm() {
    if (!target) return;
    const input = { subscriptionId: target.id, reason };
    dialog.submit(staffCancelSubscriptionSchema, input, cancel.mutate);
  }

  return (
    <section aria-labelledby="subscriptions-heading">
      <h2 id="subscriptions-heading" className="mb-3 text-lg font-semibold text-slate-900">
        Subscriptions
      </h2>
      <form role="search" aria-label="Filter subscriptions" onSubmit={(e) => e.preventDefault()} className="mb-4 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
        <PartnerFilter value={partnerId} onChange={setPartnerId} />
        <Field label="Status">
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus(e.target.value as "" | SubscriptionStatus)} className={inputClass}>
              <option value="">All statuses</option>
              {SUBSCRIPTION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s} ({subscriptionStatusHints[s]})
                </option>
              ))}
            </select>
          )}
        </Field>
        {emailField}
      </form>

      {list.isPending ? (
        <Spinner label="Loading subscriptions" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "No subscriptions match these filters" : "No subscriptions yet"}>
          {filtered ? "Try another partner, status or address." : "Subscriptions appear here when clients start one through the partner API."}
        </EmptyState>
      ) : (
        <>
          <ListTable
            caption={`Subscriptions${filtered ? " matching the filters" : ""}`}
            busy={list.isFetching}
            headers={
              <>
                <Th>Client</Th>
                <Th>Partner</Th>
                <Th>Tier</Th>
                <Th>Status</Th>
                <Th>Amount</Th>
                <Th>Period end (UTC)</Th>
                <Th>Started (UTC)</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </>
            }
          >
            {rows.map((s) => (
              <tr key={s.id} className="hover:bg-slate-50">
                <td className="break-all px-3 py-2">
                  <Link href={`/clients/${s.clientId}`} className={`font-medium ${linkClass}`}>
                    {s.clientEmail}
                  </Link>
                </td>
                <td className="px-3 py-2">
                  {s.partnerName} ({s.partnerId})
                </td>
                <td className="px-3 py-2">
                  <Link href={`/tiers/${s.tierId}`} className={linkClass}>
                    {s.tierName}
                  </Link>
                </td>
                <td className="px-3 py-2">
                  <SubscriptionStatusBadge status={s.status} />
                </td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{money(s.amount, s.currency)}</td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{s.currentPeriodEnd ? when(s.currentPeriodEnd) : <Muted>—</Muted>}</td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{when(s.createdAt)}</td>
                <td className="px-3 py-2">
                  {cancellable(s) && (
                    <Button variant="secondary" onClick={() => dialog.open(s)} aria-label={`Cancel the subscription of ${s.clientEmail}`}>
                      Cancel
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </ListTable>
          <LoadMoreFooter shown={rows.length} noun={["subscription", "subscriptions"]} hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => list.fetchNextPage()} />
        </>
      )}

      <ReasonDialog
        open={target !== null}
        title={`Cancel the subscription of ${target?.clientEmail ?? ""}?`}
        confirmLabel="Cancel subscription"
        busy={cancel.isPending}
        reason={reason}
        error={reasonError}
        onReasonChange={dialog.setReason}
        onConfirm={confirm}
        onCancel={close}
      >
        {target?.status === "ACTIVE" && target.currentPeriodEnd && target.currentPeriodEnd.getTime() > Date.now()
          ? `${target.tierName} is paid until ${whenUtc(target.currentPeriodEnd)}: it stays active until then and is not renewed.`
          : `${target?.tierName ?? "The subscription"} is not paid for now: it ends at once and its open invoice, if any, is voided.`}
      </ReasonDialog>
    </section>
  );
}
