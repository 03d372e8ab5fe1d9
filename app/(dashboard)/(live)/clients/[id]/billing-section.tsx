"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { notify } from "../../../../_components/notifications";
import { creditAccountSchema } from "@/server/billing/schemas";
import { issueMessages, schemaCheck } from "../../../../_components/field-errors";
import { useFieldErrors } from "../../../../_components/use-field-errors";
import { fieldErrorsOf, messageOf, useTRPC } from "../../../../_components/trpc";
import { Section, Table } from "../../../../_components/section";
import { Button, ErrorNotice, Field, inputClass, Spinner } from "../../../../_components/ui";
import { InvoiceStatusBadge, linkClass, SubscriptionStatusBadge } from "../../../../_components/display";
import { formatDateTime, formatMoney, invoiceKindLabels } from "../../../../_components/vocabulary";

/** The client's subscriptions and invoices, and (operations and admins, sandbox partners only) sandbox credit. */
export function BillingSection({
  clientId,
  email,
  mayCredit,
}: {
  clientId: string;
  email: string;
  mayCredit: boolean;
}) {
  const trpc = useTRPC();
  const billing = useQuery(trpc.billing.get.queryOptions({ clientId }));
  return (
    <Section
      id="billing"
      title="Billing"
      description="Subscriptions and invoices, newest first (the latest 50 of each)."
    >
      {billing.isPending ? (
        <Spinner label="Loading billing" />
      ) : billing.isError ? (
        <ErrorNotice>{messageOf(billing.error)}</ErrorNotice>
      ) : (
        <div className="space-y-6">
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Subscriptions</h3>
            {billing.data.subscriptions.length === 0 ? (
              <p className="mt-2 text-sm text-slate-600">No subscriptions.</p>
            ) : (
              <Table
                caption="Subscriptions"
                headers={["Tier", "Status", "Amount", "Period end (UTC)", "Started (UTC)"]}
              >
                {billing.data.subscriptions.map((s) => (
                  <tr key={s.id}>
                    <td className="px-3 py-2">
                      <Link href={`/tiers/${s.tierId}`} className={linkClass}>
                        {s.tierName}
                      </Link>
                    </td>
                    <td className="px-3 py-2">
                      <SubscriptionStatusBadge status={s.status} />
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(s.amount, s.currency)}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.currentPeriodEnd)}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.createdAt)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </div>
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Invoices</h3>
            {billing.data.invoices.length === 0 ? (
              <p className="mt-2 text-sm text-slate-600">No invoices.</p>
            ) : (
              <Table
                caption="Invoices"
                headers={["Issued (UTC)", "Kind", "Amount", "Status", "Due (UTC)", "Paid (UTC)"]}
              >
                {billing.data.invoices.map((i) => (
                  <tr key={i.id}>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(i.createdAt)}</td>
                    <td className="px-3 py-2">{invoiceKindLabels[i.kind]}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(i.amount, i.currency)}</td>
                    <td className="px-3 py-2">
                      <InvoiceStatusBadge status={i.status} />
                      {i.voidReason && <span className="block text-xs text-slate-600">{i.voidReason}</span>}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(i.dueAt)}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(i.paidAt)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </div>
          {mayCredit && billing.data.partner.sandbox && <CreditForm clientId={clientId} email={email} />}
        </div>
      )}
    </Section>
  );
}

function CreditForm({ clientId, email }: { clientId: string; email: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useFieldErrors(
    { amount, note },
    schemaCheck(creditAccountSchema, (v: { amount: string; note: string }) => ({
      clientId,
      amount: v.amount.trim(),
      note: v.note,
    })),
  );
  const credit = useMutation(
    trpc.billing.credit.mutationOptions({
      onSuccess: (result) => {
        notify.success(
          `Credited ${formatMoney(result.amount, result.currency)}; the balance is now ${formatMoney(result.balance, result.currency)}`,
        );
        setAmount("");
        setNote("");
        // The balance and ledger are on the page's own query.
        return Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.client.get.queryKey({ id: clientId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.billing.get.queryKey({ clientId }) }),
        ]);
      },
      onError: (error) => {
        const fields = fieldErrorsOf(error);
        if (!fields.amount && !fields.note) notify.error(fields.clientId ?? messageOf(error));
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { clientId, amount: amount.trim(), note };
    const parsed = creditAccountSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(issueMessages(parsed.error.issues));
      credit.reset();
      return;
    }
    setErrors({});
    credit.mutate(input, { onError: (e) => setErrors(fieldErrorsOf(e)) });
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-labelledby="credit-heading"
      className="grid gap-4 border-t border-slate-100 pt-4 sm:grid-cols-[12rem_1fr_auto] sm:items-start"
    >
      <div className="sm:col-span-3">
        <h3 id="credit-heading" className="text-sm font-semibold text-slate-900">
          Credit sandbox account
        </h3>
        <p className="mt-1 text-sm text-slate-600">
          Test money for {email}&apos;s CHECKING account, from the sandbox partner&apos;s funding account. Recorded in
          the ledger and the audit trail.
        </p>
      </div>
      <Field label="Amount" error={errors.amount} hint="Such as 50.00, in the account's currency">
        {(p) => (
          <input
            {...p}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            inputMode="decimal"
            autoComplete="off"
            disabled={credit.isPending}
            className={inputClass}
          />
        )}
      </Field>
      <Field label="Note (optional)" error={errors.note}>
        {(p) => (
          <input
            {...p}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={200}
            autoComplete="off"
            disabled={credit.isPending}
            className={inputClass}
          />
        )}
      </Field>
      <Button type="submit" disabled={credit.isPending} className="sm:mt-6">
        {credit.isPending ? "Crediting…" : "Credit account"}
      </Button>
    </form>
  );
}
