"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsFromIssues } from "@/server/errors";
import { addStaffSchema, staffRoleSchema } from "@/server/staff/schemas";
import { fieldErrorsOf, messageOf, useTRPC, type FieldErrors } from "../../../_components/trpc";
import { Button, ErrorNotice, Field, inputClass } from "../../../_components/ui";
import { roleLabels } from "./labels";
import { TemporaryPassword } from "./temporary-password";

const emptyForm = { email: "", name: "", role: "" };
type FormState = typeof emptyForm;

interface Created {
  email: string;
  name: string;
  temporaryPassword: string;
}

export function AddStaffForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(emptyForm);
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<Created | null>(null);
  const create = useMutation(
    trpc.staff.create.mutationOptions({
      onSuccess: (result) => {
        setCreated({ email: result.email, name: result.name, temporaryPassword: result.temporaryPassword });
        setForm(emptyForm);
        toast.success(`Added ${result.email}`);
        return queryClient.invalidateQueries({ queryKey: trpc.staff.list.queryKey() });
      },
      onError: (error) => {
        if (Object.keys(fieldErrorsOf(error)).length === 0) toast.error(messageOf(error));
      },
    }),
  );
  const errors: FieldErrors = { ...fieldErrorsOf(create.error), ...localErrors };

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    const parsed = addStaffSchema.safeParse(form);
    if (!parsed.success) {
      const found: FieldErrors = {};
      for (const f of fieldErrorsFromIssues(parsed.error.issues)) found[f.path] ??= f.message;
      if (form.role === "") found.role = "Choose the staff member's role";
      setLocalErrors(found);
      create.reset();
      return;
    }
    setLocalErrors({});
    create.mutate(parsed.data);
  }

  return (
    <section aria-labelledby="add-staff-heading" className="mb-8 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="add-staff-heading" className="text-lg font-semibold text-slate-900">
        Add staff member
      </h2>
      <p className="mt-1 text-sm text-slate-600">The server generates a temporary password, shown to you once, for you to hand over.</p>

      {created && (
        <TemporaryPassword password={created.temporaryPassword} onDone={() => setCreated(null)}>
          Added {created.name} ({created.email}).
        </TemporaryPassword>
      )}

      <form onSubmit={submit} noValidate className="mt-4 grid gap-4 sm:grid-cols-[1fr_1fr_12rem_auto] sm:items-start">
        <Field label="Email" error={errors.email}>
          {(p) => <input {...p} type="email" value={form.email} onChange={(e) => set("email", e.target.value)} autoComplete="off" className={inputClass} />}
        </Field>
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} value={form.name} onChange={(e) => set("name", e.target.value)} autoComplete="off" className={inputClass} />}
        </Field>
        <Field label="Role" error={errors.role}>
          {(p) => (
            <select {...p} value={form.role} onChange={(e) => set("role", e.target.value)} className={inputClass}>
              <option value="">Choose a role</option>
              {staffRoleSchema.options.map((role) => (
                <option key={role} value={role}>
                  {roleLabels[role]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Button type="submit" disabled={create.isPending} className="sm:mt-6">
          {create.isPending ? "Adding…" : "Add staff member"}
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
