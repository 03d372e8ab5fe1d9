"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import type { AppRouter } from "@/server/api/root";
import { INVOICE_STATUSES, voidInvoiceSchema, type InvoiceStatus } from "@/server/billing/schemas";
import { PartnerFilter } from "../../../_components/partner-filter";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, EmptyState, ErrorNotice, Field, inputClass, LoadMoreFooter, Spinner } from "../../../_components/ui";
import { invoiceKindLabels, InvoiceStatusBadge, invoiceStatusLabels, linkClass, money, when, type InvoiceKind } from "./labels";
import { ListTable, Muted, PAGE_SIZE, ReasonDialog, Th, useEmailFilter, useReasonDialog } from "./list-parts";

type Invoice = inferRouterOutputs<AppRouter>["invoice"]["list"]["items"][number];

export function InvoicesList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [partnerId, setPartnerId] = useState("");
  const [status, setStatus] = useState<"" | InvoiceStatus>("");
  const [kind, setKind] = useState<"" | InvoiceKind>("");
  const { email, field: emailField } = useEmailFilter();
  const filtered = partnerId !== "" || status !== "" || kind !== "" || email !== "";
  const list = useInfiniteQuery(
    trpc.invoice.list.infiniteQueryOptions(
      { ...(partnerId ? { partnerId: Number(partnerId) } : {}), ...(status ? { status } : {}), ...(kind ? { kind } : {}), ...(email ? { email } : {}), limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor, placeholderData: keepPreviousData },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  const refresh = () => Promise.all([trpc.invoice.pathKey(), trpc.subscription.pathKey(), trpc.billing.pathKey()].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  const dialog = useReasonDialog<Invoice>(refresh);
  const { target, reason, reasonError, close } = dialog;
  const voidIt = useMutation(
    trpc.invoice.void.mutationOptions({
      onSuccess: () => {
        toast.success(`Voided the invoice of ${target?.clientEmail}; its subscription is cancelled`);
        close();
        // The subscription changed too: both lists, and the client's page, refresh.
        return Promise.all([trpc.invoice.pathKey(), trpc.subscription.pathKey(), trpc.billing.pathKey()].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      },
      onError: dialog.failed("invoiceId"),
    }),
  );

  function confirm() {
    if (!target) return;
    const input = { invoiceId: target.id, reason };
    dialog.submit(voidInvoiceSchema, input, voidIt.mutate);
  }

  return (
    <section aria-labelledby="invoices-heading">
      <h2 id="invoices-heading" className="mb-3 text-lg font-semibold text-slate-900">
        Invoices
      </h2>
      <form role="search" aria-label="Filter invoices" onSubmit={(e) => e.preventDefault()} className="mb-4 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4">
        <PartnerFilter value={partnerId} onChange={setPartnerId} />
        <Field label="Status">
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus(e.target.value as "" | InvoiceStatus)} className={inputClass}>
              <option value="">All statuses</option>
              {INVOICE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {invoiceStatusLabels[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as "" | InvoiceKind)} className={inputClass}>
              <option value="">All kinds</option>
              {(Object.keys(invoiceKindLabels) as InvoiceKind[]).map((k) => (
                <option key={k} value={k}>
                  {invoiceKindLabels[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {emailField}
      </form>

      {list.isPending ? (
        <Spinner label="Loading invoices" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? "No invoices match these filters" : "No invoices yet"}>
          {filtered ? "Try another partner, status, kind or address." : "Each subscription's first invoice appears here when the client starts it."}
        </EmptyState>
      ) : (
        <>
          <ListTable
            caption={`Invoices${filtered ? " matching the filters" : ""}`}
            busy={list.isFetching}
            headers={
              <>
                <Th>Client</Th>
                <Th>Partner</Th>
                <Th>Tier</Th>
                <Th>Kind</Th>
                <Th>Amount</Th>
                <Th>Status</Th>
                <Th>Due (UTC)</Th>
                <Th>Paid or voided (UTC)</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </>
            }
          >
            {rows.map((i) => (
              <tr key={i.id} className="hover:bg-slate-50">
                <td className="break-all px-3 py-2">
                  <Link href={`/clients/${i.clientId}`} className={`font-medium ${linkClass}`}>
                    {i.clientEmail}
                  </Link>
                </td>
                <td className="px-3 py-2">
                  {i.partnerName} ({i.partnerId})
                </td>
                <td className="px-3 py-2">{i.tierName}</td>
                <td className="px-3 py-2">{invoiceKindLabels[i.kind]}</td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{money(i.amount, i.currency)}</td>
                <td className="px-3 py-2">
                  <InvoiceStatusBadge status={i.status} />
                </td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{when(i.dueAt)}</td>
                <td className="px-3 py-2 tabular-nums">
                  {i.status === "paid" ? (
                    when(i.paidAt)
                  ) : i.status === "void" ? (
                    <>
                      <span className="whitespace-nowrap">{when(i.voidedAt)}</span>
                      {i.voidReason && <span className="block text-xs text-slate-600">{i.voidReason}</span>}
                    </>
                  ) : (
                    <Muted>—</Muted>
                  )}
                </td>
                <td className="px-3 py-2">
                  {i.status === "open" && (
                    <Button variant="secondary" onClick={() => dialog.open(i)} aria-label={`Void the invoice of ${i.clientEmail}`}>
                      Void
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </ListTable>
          <LoadMoreFooter shown={rows.length} noun={["invoice", "invoices"]} hasMore={list.hasNextPage} loading={list.isFetchingNextPage} onLoadMore={() => list.fetchNextPage()} />
        </>
      )}

      <ReasonDialog
        open={target !== null}
        title={`Void the invoice of ${target?.clientEmail ?? ""}?`}
        confirmLabel="Void invoice"
        busy={voidIt.isPending}
        reason={reason}
        error={reasonError}
        onReasonChange={dialog.setReason}
        onConfirm={confirm}
        onCancel={close}
      >
        {target ? `${invoiceKindLabels[target.kind]} of ${money(target.amount, target.currency)} for ${target.tierName}. ` : ""}
        Voiding cancels the subscription it belongs to at once: the invoice can no longer be paid and the client loses that subscription.
      </ReasonDialog>
    </section>
  );
}
