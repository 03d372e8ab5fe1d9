"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { createTierSchema } from "@/server/billing/schemas";
import { fieldErrorsOf, messageOf, useTRPC, type FieldErrors } from "../../../_components/trpc";
import { Button, ErrorNotice } from "../../../_components/ui";
import { errorsByField, topLevelErrors } from "../partners/settings-fields";
import { namesTierField, newTierForm, tierCandidateOf, TierFields, type TierFormState } from "./tier-fields";

/** An error no field of the form shows (such as an unknown partner): the field's message, or the error's. */
const unshownMessage = (error: unknown) => Object.values(fieldErrorsOf(error))[0] ?? messageOf(error);

/** Adds a tier at the end of the partner's list, in the partner's default currency unless staff choose another. */
export function NewTierForm({ partner }: { partner: { id: number; name: string; defaultCurrency: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<TierFormState>(() => newTierForm(partner.defaultCurrency));
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.tier.create.mutationOptions({
      onSuccess: (tier) => {
        toast.success(`Created tier ${tier.name} for ${partner.name}`);
        setForm(newTierForm(partner.defaultCurrency));
        return queryClient.invalidateQueries({ queryKey: trpc.tier.list.queryKey({ partnerId: partner.id }) });
      },
      onError: (error) => {
        if (!namesTierField(fieldErrorsOf(error))) toast.error(unshownMessage(error));
      },
    }),
  );
  const errors: FieldErrors = { ...topLevelErrors(fieldErrorsOf(create.error)), ...localErrors };

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { partnerId: partner.id, ...tierCandidateOf(form), currency: form.currency.trim().toUpperCase() };
    const parsed = createTierSchema.safeParse(input);
    if (!parsed.success) {
      setLocalErrors(errorsByField(parsed.error.issues));
      create.reset();
      return;
    }
    setLocalErrors({});
    // The decimal text goes to the server, which parses it with the same schema.
    create.mutate(input);
  }

  return (
    <section aria-labelledby="new-tier-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="new-tier-heading" className="text-lg font-semibold text-slate-900">
        New tier
      </h2>
      <p className="mt-1 text-sm text-slate-600">It goes to the end of {partner.name}&apos;s list and is offered to clients at once.</p>
      <form onSubmit={submit} noValidate className="mt-4 space-y-4">
        <TierFields form={form} errors={errors} onChange={setForm} disabled={create.isPending} mode="create" />
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create tier"}
        </Button>
      </form>
      {create.isError && !namesTierField(fieldErrorsOf(create.error)) && (
        <div className="mt-4">
          <ErrorNotice>{unshownMessage(create.error)}</ErrorNotice>
        </div>
      )}
    </section>
  );
}
