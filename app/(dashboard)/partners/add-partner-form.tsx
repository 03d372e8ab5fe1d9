"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { CopyableValue } from "../../_components/copyable-value";
import { hasFieldErrors, schemaCheck, topLevelMessages } from "../../_components/field-errors";
import { notify } from "../../_components/notifications";
import { Button, ErrorNotice, Field, inputClass } from "../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../_components/use-field-errors";
import { createPartner } from "./mutations";
import { newPartnerSettings, settingsCandidateOf, SettingsFields, type SettingsFormState } from "./settings-fields";

interface Created {
  id: number;
  name: string;
}

/** The server's schema, loaded after the page and run again on a field the user changes after a refusal. */
const loadCheck = () =>
  import("@/server/partners/schemas").then((m) =>
    schemaCheck(
      m.createPartnerSchema,
      ({ ownerStaffId, ...form }: SettingsFormState & { ownerStaffId: string }) => ({
        ...settingsCandidateOf(form),
        ownerStaffId: ownerStaffId === "" ? null : ownerStaffId,
      }),
      { topLevel: true },
    ),
  );

/** Adds a partner; a KAM becomes its owner, an admin may pick the owning KAM (`kams`). */
export function AddPartnerForm({
  role,
  kams,
}: {
  role: "admin" | "kam";
  kams: Array<{ id: string; name: string; email: string }>;
}) {
  const router = useRouter();
  const [form, setForm] = useState<SettingsFormState>(newPartnerSettings);
  const [owner, setOwner] = useState("");
  const [errors, setErrors] = useFieldErrors({ ...form, ownerStaffId: owner }, useSchemaCheck(loadCheck));
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    setBusy(true);
    const result = await createPartner({
      ...settingsCandidateOf(form),
      ownerStaffId: owner === "" ? null : owner,
    }).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      setCreated(result.value);
      setForm(newPartnerSettings);
      setOwner("");
      setErrors({});
      setProblem(undefined);
      notify.success(`Created partner ${result.value.name} with partnerId ${result.value.id}`);
      router.refresh();
      return;
    }
    setErrors(topLevelMessages(result?.fieldErrors ?? {}));
    const unshown =
      result && hasFieldErrors(result.fieldErrors)
        ? undefined
        : (result?.message ?? "The partner could not be sent; check the connection and try again.");
    setProblem(unshown);
    if (unshown) notify.error(unshown);
  }

  const ownerField =
    role === "admin" ? (
      <Field
        label="Owner (key account manager)"
        error={errors.ownerStaffId}
        hint="The KAM who manages this partner; you can change it later"
      >
        {(p) => (
          <select
            {...p}
            value={owner}
            onChange={(e) => setOwner(e.target.value)}
            disabled={busy}
            className={inputClass}
          >
            <option value="">No owner yet</option>
            {kams.map((k) => (
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
        {role === "kam" ? "You become the partner's key account manager. " : ""}The partner gets its partnerId at once;
        issue its master API key on the partner's page.
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

      <form onSubmit={(e) => void submit(e)} noValidate className="mt-4 space-y-4">
        <SettingsFields
          form={form}
          errors={errors}
          onChange={setForm}
          disabled={busy}
          extra={ownerField}
          adminOnly={role === "kam" ? { sandbox: false, quotasOff: !form.sandbox } : undefined}
        />
        <Button type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add partner"}
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
