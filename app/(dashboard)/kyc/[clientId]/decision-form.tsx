"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { notify } from "../../../_components/notifications";
import type { DecisionInput } from "@/server/kyc/schemas";
import { hasFieldErrors, schemaCheck, type FieldErrors } from "../../../_components/field-errors";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { Button, ConfirmDialog, Field, inputClass } from "../../../_components/ui";
import { COMMON_REJECT_LABELS } from "../labels";
import { decideKyc } from "./mutations";

type Choice = "approve" | "retry" | "final";
const choices: Array<{ value: Choice; label: string; hint: string }> = [
  { value: "approve", label: "Approve", hint: "The client becomes identified at the partner's KYC level." },
  { value: "retry", label: "Reject with retry", hint: "The client may fix the problem and submit again." },
  { value: "final", label: "Reject final", hint: "The client can never submit again." },
];
const submitLabels: Record<Choice, string> = {
  approve: "Approve verification",
  retry: "Reject with retry",
  final: "Reject final",
};

/** The server's own schema, loaded after the page: a message follows the corrections, and a final rejection is only confirmed once the form is valid. */
const loadCheck = () =>
  import("@/server/kyc/schemas").then((m) => schemaCheck(m.decisionSchema, (input: DecisionInput) => input));

/** The first error of a field or any of its items ("labels", "labels.3"). */
const errorUnder = (errors: FieldErrors, field: string) =>
  Object.entries(errors).find(([path]) => path === field || path.startsWith(`${field}.`))?.[1];

export function DecisionForm({ clientId, email }: { clientId: string; email: string }) {
  const router = useRouter();
  const [choice, setChoice] = useState<Choice>("approve");
  const [checked, setChecked] = useState<string[]>([]);
  const [otherLabels, setOtherLabels] = useState("");
  const [moderationComment, setModerationComment] = useState("");
  const [clientComment, setClientComment] = useState("");
  const [confirming, setConfirming] = useState(false);

  const rejecting = choice !== "approve";
  const labels = rejecting
    ? [
        ...new Set([
          ...checked,
          ...otherLabels
            .split(",")
            .map((l) => l.trim())
            .filter(Boolean),
        ]),
      ]
    : [];
  const input: DecisionInput = {
    clientId,
    decision: rejecting ? "reject" : "approve",
    ...(rejecting ? { rejectType: choice === "final" ? "FINAL" : "RETRY" } : {}),
    labels,
    ...(moderationComment.trim() ? { moderationComment } : {}),
    ...(clientComment.trim() ? { clientComment } : {}),
  };
  const check = useSchemaCheck(loadCheck);
  const [errors, setErrors] = useFieldErrors(input, check);
  const [busy, setBusy] = useState(false);

  async function decide(sent: DecisionInput) {
    setBusy(true);
    const result = await decideKyc(sent).catch(() => undefined);
    setBusy(false);
    setConfirming(false);
    if (result?.ok) {
      notify.success(
        sent.decision === "approve"
          ? `Approved: ${email} is identified, level ${result.value.verificationLevel}`
          : sent.rejectType === "FINAL"
            ? `Rejected final: ${email} cannot submit again`
            : `Rejected: ${email} may submit again`,
      );
      setChecked([]);
      setOtherLabels("");
      setModerationComment("");
      setClientComment("");
      setErrors({});
      // The page (state and history) and the lists that show the client render again on the server.
      router.refresh();
      return;
    }
    const fields = result?.fieldErrors ?? {};
    setErrors(fields, sent);
    if (!result || !hasFieldErrors(fields))
      notify.error(result?.message ?? "The decision could not be sent; check the connection and try again.");
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const local: FieldErrors = check?.(input) ?? {};
    setErrors(local);
    if (hasFieldErrors(local)) return;
    // A final rejection cannot be undone by the client: ask first.
    if (choice === "final") setConfirming(true);
    else void decide(input);
  }

  const decisionError = errors.decision ?? errors.rejectType;
  const labelsError = errorUnder(errors, "labels");
  return (
    <form onSubmit={submit} noValidate aria-label="Decision" className="space-y-5">
      <fieldset aria-describedby={decisionError ? "decision-error" : undefined}>
        <legend className="text-sm font-semibold text-slate-900">Decision</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-3">
          {choices.map((c) => (
            <label
              key={c.value}
              className="flex gap-2 rounded-md border border-slate-200 p-3 text-sm has-checked:border-indigo-600 has-checked:bg-indigo-50"
            >
              <input
                type="radio"
                name="decision"
                value={c.value}
                checked={choice === c.value}
                onChange={() => setChoice(c.value)}
                className="mt-0.5"
              />
              <span>
                <span className="block font-medium text-slate-900">{c.label}</span>
                <span className="block text-xs text-slate-600">{c.hint}</span>
              </span>
            </label>
          ))}
        </div>
        {decisionError && (
          <p id="decision-error" className="mt-1 text-sm text-rose-700">
            {decisionError}
          </p>
        )}
      </fieldset>

      {rejecting && (
        <fieldset aria-describedby={labelsError ? "labels-error" : "labels-hint"}>
          <legend className="text-sm font-semibold text-slate-900">Reject labels</legend>
          <p id="labels-hint" className="text-xs text-slate-600">
            Sumsub&apos;s reasons, kept with the decision and returned to the partner&apos;s app.
          </p>
          <div className="mt-2 grid gap-x-4 gap-y-1 sm:grid-cols-2 lg:grid-cols-3">
            {COMMON_REJECT_LABELS.map((l) => (
              <label key={l} className="flex items-center gap-2 font-mono text-xs text-slate-800">
                <input
                  type="checkbox"
                  checked={checked.includes(l)}
                  onChange={(e) => setChecked((all) => (e.target.checked ? [...all, l] : all.filter((x) => x !== l)))}
                  className="size-4 rounded border-slate-300"
                />
                {l}
              </label>
            ))}
          </div>
          <div className="mt-3 max-w-xl">
            <Field label="Other labels" hint="Comma separated, e.g. BLACKLIST, COMPROMISED_PERSONS">
              {(p) => (
                <input
                  {...p}
                  value={otherLabels}
                  onChange={(e) => setOtherLabels(e.target.value)}
                  className={`${inputClass} w-full font-mono`}
                />
              )}
            </Field>
          </div>
          {labelsError && (
            <p id="labels-error" className="mt-1 text-sm text-rose-700">
              {labelsError}
            </p>
          )}
        </fieldset>
      )}

      <div className="grid gap-4 lg:grid-cols-2">
        <Field
          label="Moderation comment (shown to the client)"
          error={errors.moderationComment}
          hint="The partner's app may show this to the client: say what to fix."
        >
          {(p) => (
            <textarea
              {...p}
              rows={3}
              maxLength={2000}
              value={moderationComment}
              onChange={(e) => setModerationComment(e.target.value)}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
        <Field
          label="Client comment (internal)"
          error={errors.clientComment}
          hint="For staff only: never shown to the client or the partner."
        >
          {(p) => (
            <textarea
              {...p}
              rows={3}
              maxLength={2000}
              value={clientComment}
              onChange={(e) => setClientComment(e.target.value)}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
      </div>

      <Button type="submit" variant={rejecting ? "danger" : "primary"} disabled={busy}>
        {busy ? "Saving…" : submitLabels[choice]}
      </Button>

      <ConfirmDialog
        open={confirming}
        title={`Reject ${email} for good?`}
        confirmLabel="Reject final"
        busy={busy}
        onConfirm={() => void decide(input)}
        onCancel={() => setConfirming(false)}
      >
        A final rejection means the client can never submit their verification again
        {labels.length > 0 ? ` (labels: ${labels.join(", ")})` : ""}. Staff can still approve later.
      </ConfirmDialog>
    </form>
  );
}
