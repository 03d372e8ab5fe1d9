"use client";

import { useId, type ReactNode } from "react";
import type { FieldErrors } from "../../_components/field-errors";
import { Field, inputClass } from "../../_components/ui";

/** The partner settings as a form holds them (text for numbers and lists), shared by the add and edit forms. */
export interface SettingsFormState {
  name: string;
  sandbox: boolean;
  captchaRequired: boolean;
  quotaPerIpHour: string;
  quotaTotalHour: string;
  allowedUserTypes: string;
  defaultCurrency: string;
  kycApprovedLevel: string;
}

/** The defaults of a new partner, as in the white-label original: 1 registration per IP and 50 in total per hour. */
export const newPartnerSettings: SettingsFormState = {
  name: "",
  sandbox: false,
  captchaRequired: false,
  quotaPerIpHour: "1",
  quotaTotalHour: "50",
  allowedUserTypes: "CUSTOMER",
  defaultCurrency: "EUR",
  kycApprovedLevel: "2",
};

export function settingsFormOf(p: {
  name: string;
  sandbox: boolean;
  captchaRequired: boolean;
  quotaPerIpHour: number;
  quotaTotalHour: number;
  allowedUserTypes: string[];
  defaultCurrency: string;
  kycApprovedLevel: number;
}): SettingsFormState {
  return {
    name: p.name,
    sandbox: p.sandbox,
    captchaRequired: p.captchaRequired,
    quotaPerIpHour: String(p.quotaPerIpHour),
    quotaTotalHour: String(p.quotaTotalHour),
    allowedUserTypes: p.allowedUserTypes.join(", "),
    defaultCurrency: p.defaultCurrency,
    kycApprovedLevel: String(p.kycApprovedLevel),
  };
}

const numberOf = (v: string) => (v.trim() === "" ? Number.NaN : Number(v));

/** What the form holds, in the shape the schema expects; the schema itself decides what is valid. */
export function settingsCandidateOf(f: SettingsFormState) {
  return {
    name: f.name,
    sandbox: f.sandbox,
    captchaRequired: f.captchaRequired,
    quotaPerIpHour: numberOf(f.quotaPerIpHour),
    quotaTotalHour: numberOf(f.quotaTotalHour),
    allowedUserTypes: f.allowedUserTypes
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((t) => t.toUpperCase()),
    defaultCurrency: f.defaultCurrency.trim().toUpperCase(),
    kycApprovedLevel: Number(f.kycApprovedLevel),
  };
}

export function Checkbox({
  label,
  hint,
  checked,
  onChange,
  disabled,
}: {
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className="mt-0.5 size-4 rounded border-slate-300 text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-700"
      />
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        {hint && (
          <p id={`${id}-hint`} className="text-xs text-slate-600">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

/** What a non-admin may not change here: sandbox mode, and turning a live partner's quotas off. */
export interface AdminOnlySettings {
  sandbox: boolean;
  quotasOff: boolean;
}

/** Every partner setting, labelled, with its error in place. */
export function SettingsFields({
  form,
  errors,
  onChange,
  disabled,
  extra,
  adminOnly,
}: {
  form: SettingsFormState;
  errors: FieldErrors;
  onChange: (next: SettingsFormState) => void;
  disabled?: boolean;
  extra?: ReactNode;
  adminOnly?: AdminOnlySettings;
}) {
  const quotaHint = adminOnly?.quotasOff
    ? "At least 1: only an admin turns a live partner's quota off"
    : "0 turns this quota off";
  const set = <K extends keyof SettingsFormState>(key: K, value: SettingsFormState[K]) =>
    onChange({ ...form, [key]: value });
  const text = (
    key: "name" | "quotaPerIpHour" | "quotaTotalHour" | "allowedUserTypes" | "defaultCurrency",
    label: string,
    hint: string,
    props: { inputMode?: "numeric"; maxLength?: number } = {},
  ) => (
    <Field label={label} error={errors[key]} hint={hint}>
      {(p) => (
        <input
          {...p}
          value={form[key]}
          disabled={disabled}
          onChange={(e) => set(key, e.target.value)}
          autoComplete="off"
          {...props}
          className={inputClass}
        />
      )}
    </Field>
  );
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {text("name", "Name", "How the partner is shown to staff")}
      {extra}
      {text("quotaPerIpHour", "Registrations per IP per hour", quotaHint, { inputMode: "numeric" })}
      {text("quotaTotalHour", "Registrations per hour in total", quotaHint, { inputMode: "numeric" })}
      {text("allowedUserTypes", "Allowed user types", "Upper-case words separated by commas, e.g. CUSTOMER, BUSINESS")}
      {text("defaultCurrency", "Default currency", "ISO 4217 code of new clients' CHECKING accounts, e.g. EUR", {
        maxLength: 3,
      })}
      <Field
        label="KYC approved level"
        error={errors.kycApprovedLevel}
        hint="Verification level a client gets when KYC approves them"
      >
        {(p) => (
          <select
            {...p}
            value={form.kycApprovedLevel}
            disabled={disabled}
            onChange={(e) => set("kycApprovedLevel", e.target.value)}
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
      <div className="flex flex-col gap-3 sm:col-span-2">
        <Checkbox
          label="Sandbox"
          hint={
            adminOnly?.sandbox
              ? "Only an admin changes sandbox mode. In a sandbox the email code is always 12345 and testers approve their own identity"
              : "The email code is always 12345 and testers approve their own identity: for integration testing, never for real clients. A partner with clients cannot become a sandbox"
          }
          checked={form.sandbox}
          disabled={disabled || adminOnly?.sandbox}
          onChange={(v) => set("sandbox", v)}
        />
        <Checkbox
          label="Captcha required"
          hint="Public registrations without a master key must solve a captcha"
          checked={form.captchaRequired}
          disabled={disabled}
          onChange={(v) => set("captchaRequired", v)}
        />
      </div>
    </div>
  );
}
