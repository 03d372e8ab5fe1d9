"use client";

import Link from "next/link";
import { useState, type FormEvent, type ReactNode } from "react";
import { notify } from "../../_components/notifications";
import { COUNTRY_CODES } from "@/server/registration/countries";
import { hasFieldErrors, schemaCheck } from "../../_components/field-errors";
import { useFieldErrors, useSchemaCheck } from "../../_components/use-field-errors";
import { Button, ErrorNotice, Field, inputClass, PageHeader } from "../../_components/ui";
import { countryOptions, verificationLabels } from "../../_components/vocabulary";
import { registerClient } from "./mutations";

const countries = countryOptions(COUNTRY_CODES);
/** The choices of the form, where "not verified" also means a confirmation email goes out. */
const verificationChoices = {
  ...verificationLabels,
  not_verified: `${verificationLabels.not_verified} (sends a confirmation email)`,
};

const emptyForm = {
  partnerId: "",
  firstName: "",
  lastName: "",
  email: "",
  countryCode: "",
  birthDate: "",
  password: "",
  referralCode: "",
  postalCode: "",
  state: "",
  address1: "",
  address2: "",
  verificationStatus: "not_verified",
  verificationLevel: "0",
  agreed: false,
};
type FormState = typeof emptyForm;

const optional = (v: string) => (v.trim() === "" ? undefined : v);

/** What the form holds, in the shape the schema expects; the schema itself decides what is valid. */
function candidateOf(f: FormState) {
  return {
    partnerId: f.partnerId === "" ? undefined : Number(f.partnerId),
    firstName: f.firstName,
    lastName: f.lastName,
    email: f.email,
    countryCode: f.countryCode,
    birthDate: f.birthDate,
    password: f.password,
    referralCode: f.referralCode.trim() === "" ? null : f.referralCode,
    agreed: f.agreed,
    postalCode: optional(f.postalCode),
    state: optional(f.state),
    address1: optional(f.address1),
    address2: optional(f.address2),
    verificationStatus: f.verificationStatus,
    verificationLevel: Number(f.verificationLevel),
  };
}

const loadCheck = () =>
  import("@/server/registration/schemas").then((m) => schemaCheck(m.backOfficeRegistrationSchema, candidateOf));

/** A partner the client may be registered for; a suspended one is shown but cannot be chosen. */
interface PartnerChoice {
  id: number;
  name: string;
  active: boolean;
}

export function RegisterClientForm({ partners }: { partners: PartnerChoice[] }) {
  const [form, setForm] = useState<FormState>(emptyForm);
  const [errors, setErrors] = useFieldErrors(form, useSchemaCheck(loadCheck));
  const [created, setCreated] = useState<{ clientId: string; email: string } | null>(null);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    setBusy(true);
    const sent = candidateOf(form);
    const result = await registerClient(sent as Parameters<typeof registerClient>[0]).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      setCreated({ clientId: result.value.clientId, email: sent.email });
      setErrors({});
      setProblem(undefined);
      // The status below links to the new client.
      notify.success(`Registered ${sent.email}`);
      // Keep the partner: staff often register several clients for one partner.
      setForm({ ...emptyForm, partnerId: form.partnerId });
      return;
    }
    const fields = result?.fieldErrors ?? {};
    setErrors(
      form.partnerId === "" && fields.partnerId
        ? { ...fields, partnerId: "Choose the partner the client belongs to" }
        : fields,
    );
    setProblem(
      result && hasFieldErrors(fields)
        ? undefined
        : (result?.message ?? "The registration could not be sent; check the connection and try again."),
    );
  }

  const text = (
    key: keyof FormState,
    label: string,
    props: { type?: string; autoComplete?: string; hint?: string; required?: boolean } = {},
  ) => (
    <Field label={label} error={errors[key]} hint={props.hint}>
      {(p) => (
        <input
          {...p}
          type={props.type ?? "text"}
          value={form[key] as string}
          onChange={(e) => set(key, e.target.value)}
          autoComplete={props.autoComplete ?? "off"}
          required={props.required}
          className={inputClass}
        />
      )}
    </Field>
  );

  return (
    <div className="max-w-3xl">
      <PageHeader
        title="Register client"
        description="Register a client on a partner's behalf, with the powers of the partner's master API key. You are recorded as the creator."
      />

      {created && (
        <p role="status" className="mb-6 rounded-md bg-emerald-50 p-4 text-sm text-emerald-900">
          Registered {created.email}.{" "}
          <Link href={`/clients/${created.clientId}`} className="font-medium underline underline-offset-2">
            Open the client
          </Link>
        </p>
      )}

      <form
        onSubmit={(e) => void submit(e)}
        noValidate
        className="space-y-6"
        aria-describedby={Object.keys(errors).length > 0 ? "form-errors" : undefined}
      >
        {Object.keys(errors).length > 0 && (
          <p id="form-errors" role="alert" className="text-sm text-rose-700">
            Some fields need attention.
          </p>
        )}

        <Section title="Partner and verification">
          <Field label="Partner" error={errors.partnerId}>
            {(p) => (
              <select
                {...p}
                value={form.partnerId}
                onChange={(e) => set("partnerId", e.target.value)}
                className={inputClass}
              >
                <option value="">Choose a partner</option>
                {partners.map((partner) => (
                  <option key={partner.id} value={partner.id} disabled={!partner.active}>
                    {partner.name} ({partner.id}){partner.active ? "" : " · suspended"}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Verification status" error={errors.verificationStatus}>
            {(p) => (
              <select
                {...p}
                value={form.verificationStatus}
                onChange={(e) => set("verificationStatus", e.target.value)}
                className={inputClass}
              >
                {(Object.keys(verificationChoices) as Array<keyof typeof verificationChoices>).map((s) => (
                  <option key={s} value={s}>
                    {verificationChoices[s]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Verification level" error={errors.verificationLevel}>
            {(p) => (
              <select
                {...p}
                value={form.verificationLevel}
                onChange={(e) => set("verificationLevel", e.target.value)}
                className={inputClass}
              >
                {[0, 1, 2, 3, 4, 5].map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </Section>

        <Section title="Client">
          {text("firstName", "First name", { autoComplete: "off" })}
          {text("lastName", "Last name")}
          {text("email", "Email", { type: "email" })}
          <Field label="Country" error={errors.countryCode}>
            {(p) => (
              <select
                {...p}
                value={form.countryCode}
                onChange={(e) => set("countryCode", e.target.value)}
                className={inputClass}
              >
                <option value="">Choose a country</option>
                {countries.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name} ({c.code})
                  </option>
                ))}
              </select>
            )}
          </Field>
          {text("birthDate", "Birth date", { type: "date" })}
          {text("password", "Password", {
            type: "password",
            autoComplete: "new-password",
            hint: "At least 8 characters with a lower-case letter, an upper-case letter and a digit",
          })}
          {text("referralCode", "Referral code", { hint: "Optional" })}
        </Section>

        <Section title="Address (optional)">
          {text("postalCode", "Postal code")}
          {text("state", "State or region")}
          {text("address1", "Address line 1")}
          {text("address2", "Address line 2")}
        </Section>

        <div>
          <div className="flex items-start gap-2">
            <input
              id="agreed"
              type="checkbox"
              checked={form.agreed}
              onChange={(e) => set("agreed", e.target.checked)}
              aria-invalid={Boolean(errors.agreed)}
              aria-describedby={errors.agreed ? "agreed-error" : undefined}
              className="mt-1 size-4 rounded border-slate-300 text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-700"
            />
            <label htmlFor="agreed" className="text-sm text-slate-800">
              The client has accepted the partner&apos;s terms of use
            </label>
          </div>
          {errors.agreed && (
            <p id="agreed-error" className="mt-1 text-sm text-rose-700">
              {errors.agreed}
            </p>
          )}
        </div>

        {problem && <ErrorNotice>{problem}</ErrorNotice>}

        <Button type="submit" disabled={busy}>
          {busy ? "Registering…" : "Register client"}
        </Button>
      </form>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="rounded-lg border border-slate-200 bg-white p-4">
      <legend className="px-1 text-sm font-semibold text-slate-900">{title}</legend>
      <div className="grid gap-4 sm:grid-cols-2">{children}</div>
    </fieldset>
  );
}
