"use client";

import { useState, type FormEvent } from "react";
import { hasFieldErrors, schemaCheck } from "../../../_components/field-errors";
import { notify } from "../../../_components/notifications";
import { Button, ErrorNotice, Field, inputClass } from "../../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { changePassword } from "./mutations";

const emptyForm = { currentPassword: "", newPassword: "", confirmPassword: "" };
type FormState = typeof emptyForm;
const loadCheck = () =>
  import("@/server/staff/schemas").then((m) => schemaCheck(m.changePasswordFormSchema, (f: FormState) => f));

export function ChangePasswordForm() {
  const [form, setForm] = useState<FormState>(emptyForm);
  const [errors, setErrors] = useFieldErrors(form, useSchemaCheck(loadCheck));
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await changePassword(form).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      const ended = result.value.otherSessionsEnded;
      setForm(emptyForm);
      setErrors({});
      setProblem(undefined);
      notify.success(
        ended === 0
          ? "Password changed"
          : `Password changed; ${ended === 1 ? "your other session has" : `your ${ended} other sessions have`} ended`,
      );
      return;
    }
    const fields = result?.fieldErrors ?? {};
    setErrors(fields);
    setProblem(
      result && hasFieldErrors(fields)
        ? undefined
        : (result?.message ?? "The password could not be sent; check the connection and try again."),
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
      <form method="post" onSubmit={(e) => void submit(e)} noValidate className="mt-4 space-y-4">
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
        <Button type="submit" disabled={busy}>
          {busy ? "Changing…" : "Change password"}
        </Button>
        {problem && <ErrorNotice>{problem}</ErrorNotice>}
      </form>
    </section>
  );
}
