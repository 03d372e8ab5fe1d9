"use client";

import type { FieldErrors } from "../../_components/field-errors";
import { Field, inputClass } from "../../_components/ui";
import { Checkbox } from "../partners/settings-fields";

/** A tier as its forms hold it (text for amounts and lists), shared by the New tier and Edit tier forms. */
export interface TierFormState {
  name: string;
  description: string;
  level: string;
  amount: string;
  initialAmount: string;
  currency: string;
  features: string;
  mostPopular: boolean;
  trialAvailable: boolean;
}

/** Whether a server error names a field these forms show; if not, the error is said some other way. */
export function namesTierField(errors: FieldErrors): boolean {
  const shown: ReadonlyArray<string> = [
    "name",
    "description",
    "level",
    "amount",
    "initialAmount",
    "currency",
    "features",
    "mostPopular",
    "trialAvailable",
  ];
  return Object.keys(errors).some((path) => shown.includes(path.split(".")[0]!));
}

export const newTierForm = (currency: string): TierFormState => ({
  name: "",
  description: "",
  level: "0",
  amount: "",
  initialAmount: "",
  currency,
  features: "",
  mostPopular: false,
  trialAvailable: false,
});

export function tierFormOf(t: {
  name: string;
  description: string;
  level: number;
  amount: string;
  initialPaymentAmount: string;
  currency: string;
  features: string[];
  mostPopular: boolean;
  trialAvailable: boolean;
}): TierFormState {
  return {
    name: t.name,
    description: t.description,
    level: String(t.level),
    amount: t.amount,
    initialAmount: t.initialPaymentAmount,
    currency: t.currency,
    features: t.features.join("\n"),
    mostPopular: t.mostPopular,
    trialAvailable: t.trialAvailable,
  };
}

/**
 * What the form holds, in the shape the schemas expect (amounts stay decimal
 * text); the schemas decide what is valid. Left out, the initial payment
 * amount of a new tier is its amount, and an edited tier's stays as it is.
 */
export function tierCandidateOf(f: TierFormState) {
  return {
    name: f.name,
    description: f.description,
    level: Number(f.level),
    amount: f.amount.trim(),
    ...(f.initialAmount.trim() === "" ? {} : { initialAmount: f.initialAmount.trim() }),
    features: f.features
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
    mostPopular: f.mostPopular,
    trialAvailable: f.trialAvailable,
  };
}

/** Every field of a tier, labelled, with its error in place. The currency is set once, when the tier is created. */
export function TierFields({
  form,
  errors,
  onChange,
  disabled,
  mode,
}: {
  form: TierFormState;
  errors: FieldErrors;
  onChange: (next: TierFormState) => void;
  disabled?: boolean;
  mode: "create" | "edit";
}) {
  const set = <K extends keyof TierFormState>(key: K, value: TierFormState[K]) => onChange({ ...form, [key]: value });
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field label="Name" error={errors.name} hint="Shown to clients; unique among the partner's tiers">
        {(p) => (
          <input
            {...p}
            value={form.name}
            disabled={disabled}
            onChange={(e) => set("name", e.target.value)}
            maxLength={80}
            autoComplete="off"
            className={inputClass}
          />
        )}
      </Field>
      <Field label="Level" error={errors.level} hint="0 (entry) to 5 (top)">
        {(p) => (
          <select
            {...p}
            value={form.level}
            disabled={disabled}
            onChange={(e) => set("level", e.target.value)}
            className={inputClass}
          >
            {[0, 1, 2, 3, 4, 5].map((level) => (
              <option key={level} value={String(level)}>
                {level}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Amount" error={errors.amount} hint="Charged every 30 days, such as 9.99">
        {(p) => (
          <input
            {...p}
            value={form.amount}
            disabled={disabled}
            onChange={(e) => set("amount", e.target.value)}
            inputMode="decimal"
            autoComplete="off"
            className={inputClass}
          />
        )}
      </Field>
      <Field
        label="Initial payment amount (optional)"
        error={errors.initialAmount}
        hint={
          mode === "create"
            ? "The first invoice; left empty, it is the amount"
            : "The first invoice of new subscriptions; left empty, it stays as it is"
        }
      >
        {(p) => (
          <input
            {...p}
            value={form.initialAmount}
            disabled={disabled}
            onChange={(e) => set("initialAmount", e.target.value)}
            inputMode="decimal"
            autoComplete="off"
            className={inputClass}
          />
        )}
      </Field>
      {mode === "create" && (
        <Field
          label="Currency"
          error={errors.currency}
          hint="ISO 4217 code, such as EUR; it cannot change once clients subscribe"
        >
          {(p) => (
            <input
              {...p}
              value={form.currency}
              disabled={disabled}
              onChange={(e) => set("currency", e.target.value)}
              maxLength={3}
              autoComplete="off"
              className={`${inputClass} uppercase`}
            />
          )}
        </Field>
      )}
      <div className="sm:col-span-2">
        <Field label="Description" error={errors.description}>
          {(p) => (
            <textarea
              {...p}
              rows={2}
              value={form.description}
              disabled={disabled}
              onChange={(e) => set("description", e.target.value)}
              maxLength={1000}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
      </div>
      <div className="sm:col-span-2">
        <Field label="Features" error={errors.features} hint="One per line, as clients see them">
          {(p) => (
            <textarea
              {...p}
              rows={4}
              value={form.features}
              disabled={disabled}
              onChange={(e) => set("features", e.target.value)}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
      </div>
      <div className="flex flex-col gap-3 sm:col-span-2">
        <Checkbox
          label="Most popular"
          hint="Highlighted among the partner's tiers"
          checked={form.mostPopular}
          disabled={disabled}
          onChange={(v) => set("mostPopular", v)}
        />
        <Checkbox
          label="Trial available"
          checked={form.trialAvailable}
          disabled={disabled}
          onChange={(v) => set("trialAvailable", v)}
        />
      </div>
    </div>
  );
}
