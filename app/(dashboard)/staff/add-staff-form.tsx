"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { hasFieldErrors, schemaCheck } from "../../_components/field-errors";
import { notify } from "../../_components/notifications";
import { Button, ErrorNotice, Field, inputClass } from "../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../_components/use-field-errors";
import { optionsOf, staffRoleLabels } from "../../_components/vocabulary";
import { createStaff } from "./mutations";
import { TemporaryPassword } from "./temporary-password";

const emptyForm = { email: "", name: "", role: "" };
type FormState = typeof emptyForm;
const loadCheck = () =>
  import("@/server/staff/schemas").then((m) => schemaCheck(m.addStaffSchema, (f: FormState) => f, { topLevel: true }));

interface Created {
  email: string;
  name: string;
  temporaryPassword: string;
}

export function AddStaffForm() {
  const router = useRouter();
  const [form, setForm] = useState<FormState>(emptyForm);
  const [errors, setErrors] = useFieldErrors(form, useSchemaCheck(loadCheck));
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    setBusy(true);
    const result = await createStaff(form).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      setCreated(result.value);
      setForm(emptyForm);
      setErrors({});
      setProblem(undefined);
      notify.success(`Added ${result.value.email}`);
      router.refresh();
      return;
    }
    const fields = result?.fieldErrors ?? {};
    setErrors(form.role === "" && fields.role ? { ...fields, role: "Choose the staff member's role" } : fields);
    const unshown =
      result && hasFieldErrors(fields)
        ? undefined
        : (result?.message ?? "The staff member could not be sent; check the connection and try again.");
    setProblem(unshown);
    if (unshown) notify.error(unshown);
  }

  return (
    <section aria-labelledby="add-staff-heading" className="mb-8 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="add-staff-heading" className="text-lg font-semibold text-slate-900">
        Add staff member
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        The server generates a temporary password, shown to you once, for you to hand over.
      </p>

      {created && (
        <TemporaryPassword password={created.temporaryPassword} onDone={() => setCreated(null)}>
          Added {created.name} ({created.email}).
        </TemporaryPassword>
      )}

      <form
        onSubmit={(e) => void submit(e)}
        noValidate
        className="mt-4 grid gap-4 sm:grid-cols-[1fr_1fr_12rem_auto] sm:items-start"
      >
        <Field label="Email" error={errors.email}>
          {(p) => (
            <input
              {...p}
              type="email"
              value={form.email}
              onChange={(e) => set("email", e.target.value)}
              autoComplete="off"
              className={inputClass}
            />
          )}
        </Field>
        <Field label="Name" error={errors.name}>
          {(p) => (
            <input
              {...p}
              value={form.name}
              onChange={(e) => set("name", e.target.value)}
              autoComplete="off"
              className={inputClass}
            />
          )}
        </Field>
        <Field label="Role" error={errors.role}>
          {(p) => (
            <select {...p} value={form.role} onChange={(e) => set("role", e.target.value)} className={inputClass}>
              <option value="">Choose a role</option>
              {optionsOf(staffRoleLabels).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Button type="submit" disabled={busy} className="sm:mt-6">
          {busy ? "Adding…" : "Add staff member"}
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
