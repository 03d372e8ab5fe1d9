"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { schemaCheck, topLevelMessages } from "../../_components/field-errors";
import { notify } from "../../_components/notifications";
import { useFieldErrors, useSchemaCheck } from "../../_components/use-field-errors";
import { Button, ErrorNotice } from "../../_components/ui";
import { createTier } from "./mutations";
import { namesTierField, newTierForm, tierCandidateOf, TierFields, type TierFormState } from "./tier-fields";

/** Adds a tier at the end of the partner's list, in the partner's default currency unless staff choose another. */
export function NewTierForm({ partner }: { partner: { id: number; name: string; defaultCurrency: string } }) {
  const router = useRouter();
  const [form, setForm] = useState<TierFormState>(() => newTierForm(partner.defaultCurrency));
  const check = useSchemaCheck<TierFormState>(() =>
    import("@/server/billing/schemas").then((m) =>
      schemaCheck(
        m.createTierSchema,
        (f: TierFormState) => ({
          partnerId: partner.id,
          ...tierCandidateOf(f),
          currency: f.currency.trim().toUpperCase(),
        }),
        { topLevel: true },
      ),
    ),
  );
  const [errors, setErrors] = useFieldErrors(form, check);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    // The decimal text goes to the server, which checks it with the tier schema.
    const result = await createTier({
      partnerId: partner.id,
      ...tierCandidateOf(form),
      currency: form.currency.trim().toUpperCase(),
    }).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      notify.success(`Created tier ${result.value.name} for ${partner.name}`);
      setForm(newTierForm(partner.defaultCurrency));
      setErrors({});
      setProblem(undefined);
      router.refresh();
      return;
    }
    const fields = topLevelMessages(result?.fieldErrors ?? {});
    setErrors(fields);
    // An error no field of the form shows (such as an unknown partner): the field's message, or the error's.
    const unshown = namesTierField(fields)
      ? undefined
      : (Object.values(result?.fieldErrors ?? {})[0] ??
        result?.message ??
        "The tier could not be sent; check the connection and try again.");
    setProblem(unshown);
    if (unshown) notify.error(unshown);
  }

  return (
    <section aria-labelledby="new-tier-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="new-tier-heading" className="text-lg font-semibold text-slate-900">
        New tier
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        It goes to the end of {partner.name}&apos;s list and is offered to clients at once.
      </p>
      <form onSubmit={(e) => void submit(e)} noValidate className="mt-4 space-y-4">
        <TierFields form={form} errors={errors} onChange={setForm} disabled={busy} mode="create" />
        <Button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create tier"}
        </Button>
      </form>
      {problem && (
        <div className="mt-4">
          <ErrorNotice>{problem}</ErrorNotice>
        </div>
      )}
    </section>
  );
}
