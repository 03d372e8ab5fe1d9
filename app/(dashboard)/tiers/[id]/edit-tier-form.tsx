"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { schemaCheck, topLevelMessages } from "../../../_components/field-errors";
import { notify } from "../../../_components/notifications";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { Button } from "../../../_components/ui";
import { updateTier } from "../mutations";
import { namesTierField, tierCandidateOf, TierFields, tierFormOf, type TierFormState } from "../tier-fields";

type Tier = Parameters<typeof tierFormOf>[0] & { id: number };

/** Everything but the currency and the partner, which subscribers' invoices depend on. Keyed by the tier's last update, so a saved change shows as saved. */
export function EditTierForm({ tier }: { tier: Tier }) {
  const router = useRouter();
  const [form, setForm] = useState(() => tierFormOf(tier));
  const check = useSchemaCheck<TierFormState>(() =>
    import("@/server/billing/schemas").then((m) =>
      schemaCheck(m.updateTierSchema, (f: TierFormState) => ({ tierId: tier.id, ...tierCandidateOf(f) }), {
        topLevel: true,
      }),
    ),
  );
  const [errors, setErrors] = useFieldErrors(form, check);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await updateTier({ tierId: tier.id, ...tierCandidateOf(form) }).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      setErrors({});
      notify.success(
        result.value.changed === 0 ? "Nothing to save: the tier is already like this" : `Saved ${result.value.name}`,
      );
      router.refresh();
      return;
    }
    const fields = topLevelMessages(result?.fieldErrors ?? {});
    setErrors(fields);
    if (!namesTierField(fields))
      notify.error(result?.message ?? "The change could not be sent; check the connection and try again.");
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
      <TierFields form={form} errors={errors} onChange={setForm} disabled={busy} mode="edit" />
      <Button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save changes"}
      </Button>
    </form>
  );
}
