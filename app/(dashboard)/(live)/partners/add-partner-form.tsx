"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { createPartnerSchema } from "@/server/partners/schemas";
import { CopyableValue } from "../../../_components/copyable-value";
import { fieldErrorsOf, messageOf, useTRPC, type FieldErrors } from "../../../_components/trpc";
import { Button, ErrorNotice, Field, inputClass } from "../../../_components/ui";
import { errorsByField, newPartnerSettings, settingsCandidateOf, SettingsFields, topLevelErrors, type SettingsFormState } from "./settings-fields";

interface Created {
  id: number;
  name: string;
}

/** Adds a partner; a KAM becomes its owner, an admin may pick the owning KAM. */
export function AddPartnerForm({ role }: { role: "admin" | "kam" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<SettingsFormState>(newPartnerSettings);
  const [owner, setOwner] = useState("");
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<Created | null>(null);
  const kams = useQuery({ ...trpc.staff.list.queryOptions(), enabled: role === "admin", select: (rows) => rows.filter((r) => r.role === "kam" && r.active) });
  const create = useMutation(
    trpc.partner.create.mutationOptions({
      onSuccess: (partner) => {
        setCreated({ id: partner.id, name: partner.name });
        setForm(newPartnerSettings);
        setOwner("");
        toast.success(`Created partner ${partner.name} with partnerId ${partner.id}`);
        return queryClient.invalidateQueries({ queryKey: trpc.partner.pathKey() });
      },
      onError: (error) => {
        if (Object.keys(fieldErrorsOf(error)).length === 0) toast.error(messageOf(error));
      },
    }),
  );
  const errors: FieldErrors = { ...topLevelErrors(fieldErrorsOf(create.error)), ...localErrors };

  function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    const parsed = createPartnerSchema.safeParse({ ...settingsCandidateOf(form), ownerStaffId: owner === "" ? null : owner });
    if (!parsed.success) {
      setLocalErrors(errorsByField(parsed.error.issues));
      create.reset();
      return;
    }
    setLocalErrors({});
    create.mutate(parsed.data);
  }

  const ownerField =
    role === "admin" ? (
      <Field label="Owner (key account manager)" error={errors.ownerStaffId} hint={kams.isError ? messageOf(kams.error) : "The KAM who manages this partner; you can change it later"}>
        {(p) => (
          <select {...p} value={owner} onChange={(e) => setOwner(e.target.value)} disabled={create.isPending} className={inputClass}>
            <option value="">{kams.isPending ? "Loading key account managers…" : "No owner yet"}</option>
            {(kams.data ?? []).map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.email})
              </option>
            ))}
          </select>
        )}
      </Field>
    ) : undefined;

  return (
    <section aria-labelledby="add-partner-heading" className="mb-8 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="add-partner-heading" className="text-lg font-semibold text-slate-900">
        Add partner
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        {role === "kam" ? "You become the partner's key account manager. " : ""}The partner gets its partnerId at once; issue its master API key on the partner's page.
      </p>

      {created && (
        <div className="mt-4 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
          <p role="status" className="font-medium">
            Created {created.name}. Give the partner its partnerId, then issue a master API key.
          </p>
          <div className="mt-3">
            <CopyableValue
              label="New partnerId"
              value={String(created.id)}
              copyLabel="Copy partnerId"
              actions={
                <>
                  <Link
                    href={`/partners/${created.id}`}
                    className="inline-flex items-center rounded-md bg-indigo-700 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700"
                  >
                    Open {created.name}
                  </Link>
                  <Button variant="secondary" onClick={() => setCreated(null)}>
                    Done
                  </Button>
                </>
              }
            />
          </div>
        </div>
      )}

      <form onSubmit={submit} noValidate className="mt-4 space-y-4">
        <SettingsFields form={form} errors={errors} onChange={setForm} disabled={create.isPending} extra={ownerField} adminOnly={role === "kam" ? { sandbox: false, quotasOff: !form.sandbox } : undefined} />
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add partner"}
        </Button>
      </form>
      {create.isError && Object.keys(fieldErrorsOf(create.error)).length === 0 && (
        <div className="mt-4">
          <ErrorNotice>{messageOf(create.error)}</ErrorNotice>
        </div>
      )}
    </section>
  );
}
