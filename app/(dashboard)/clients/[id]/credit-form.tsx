"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { schemaCheck } from "../../../_components/field-errors";
import { notify } from "../../../_components/notifications";
import { Button, Field, inputClass } from "../../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { formatMoney } from "../../../_components/vocabulary";
import { creditAccount } from "./mutations";

/** Sandbox credit for the client's CHECKING account (operations and admins, sandbox partners only; the procedure checks). */
export function CreditForm({ clientId, email }: { clientId: string; email: string }) {
  const router = useRouter();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const check = useSchemaCheck<{ amount: string; note: string }>(() =>
    import("@/server/billing/schemas").then((m) =>
      schemaCheck(m.creditAccountSchema, (v: { amount: string; note: string }) => ({
        clientId,
        amount: v.amount.trim(),
        note: v.note,
      })),
    ),
  );
  const [errors, setErrors] = useFieldErrors({ amount, note }, check);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await creditAccount({ clientId, amount: amount.trim(), note }).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      const r = result.value;
      notify.success(
        `Credited ${formatMoney(r.amount, r.currency)}; the balance is now ${formatMoney(r.balance, r.currency)}`,
      );
      setAmount("");
      setNote("");
      setErrors({});
      // The balance and the ledger are on the page, rendered on the server.
      router.refresh();
      return;
    }
    const fields = result?.fieldErrors ?? {};
    setErrors(fields);
    if (!fields.amount && !fields.note)
      notify.error(
        fields.clientId ?? result?.message ?? "The credit could not be sent; check the connection and try again.",
      );
  }

  return (
    <form
      onSubmit={(e) => void submit(e)}
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
            disabled={busy}
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
            disabled={busy}
            className={inputClass}
          />
        )}
      </Field>
      <Button type="submit" disabled={busy} className="sm:mt-6">
        {busy ? "Crediting…" : "Credit account"}
      </Button>
    </form>
  );
}
