"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { notify } from "../../../../_components/notifications";
import { changePasswordFormSchema } from "@/server/staff/schemas";
import { issueMessages, schemaCheck } from "../../../../_components/field-errors";
import { fieldErrorsOf, messageOf, useTRPC } from "../../../../_components/trpc";
import { Button, ErrorNotice, Field, inputClass } from "../../../../_components/ui";
import { useFieldErrors } from "../../../../_components/use-field-errors";

const emptyForm = { currentPassword: "", newPassword: "", confirmPassword: "" };
type FormState = typeof emptyForm;
const checkPasswords = schemaCheck(changePasswordFormSchema, (f: FormState) => f);

export function ChangePasswordForm() {
  const trpc = useTRPC();
  const [form, setForm] = useState<FormState>(emptyForm);
  const [errors, setErrors] = useFieldErrors(form, checkPasswords);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: ({ otherSessionsEnded }) => {
        setForm(emptyForm);
        notify.success(
          otherSessionsEnded === 0
            ? "Password changed"
            : `Password changed; ${otherSessionsEnded === 1 ? "your other session has" : `your ${otherSessionsEnded} other sessions have`} ended`,
        );
      },
    }),
  );
  const serverErrors = fieldErrorsOf(change.error);

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = changePasswordFormSchema.safeParse(form);
    if (!parsed.success) {
      setErrors(issueMessages(parsed.error.issues));
      change.reset();
      return;
    }
    setErrors({});
    change.mutate(
      { currentPassword: parsed.data.currentPassword, newPassword: parsed.data.newPassword },
      { onError: (e) => setErrors(fieldErrorsOf(e)) },
    );
  }

  return (
    <section aria-labelledby="password-heading" className="rounded-lg border border-slate-200 bg-white p-6">
      <h2 id="password-heading" className="text-lg font-semibold">
        Change password
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Your other sessions end when you change it; this one stays signed in.
      </p>
      {/* method="post": a submit before hydration must not put the passwords in the URL (and so in logs and history). */}
      <form method="post" onSubmit={submit} noValidate className="mt-4 space-y-4">
        <Field label="Current password" error={errors.currentPassword}>
          {(p) => (
            <input
              {...p}
              type="password"
              value={form.currentPassword}
              onChange={(e) => set("currentPassword", e.target.value)}
              autoComplete="current-password"
              className={`${inputClass} w-80`}
            />
          )}
        </Field>
        <Field
          label="New password"
          error={errors.newPassword}
          hint="At least 12 characters. A few unrelated words make a strong one."
        >
          {(p) => (
            <input
              {...p}
              type="password"
              value={form.newPassword}
              onChange={(e) => set("newPassword", e.target.value)}
              autoComplete="new-password"
              className={`${inputClass} w-80`}
            />
          )}
        </Field>
        <Field label="Confirm new password" error={errors.confirmPassword}>
          {(p) => (
            <input
              {...p}
              type="password"
              value={form.confirmPassword}
              onChange={(e) => set("confirmPassword", e.target.value)}
              autoComplete="new-password"
              className={`${inputClass} w-80`}
            />
          )}
        </Field>
        <Button type="submit" disabled={change.isPending}>
          {change.isPending ? "Changing…" : "Change password"}
        </Button>
        {change.isError && Object.keys(serverErrors).length === 0 && (
          <ErrorNotice>{messageOf(change.error)}</ErrorNotice>
        )}
      </form>
    </section>
  );
}
