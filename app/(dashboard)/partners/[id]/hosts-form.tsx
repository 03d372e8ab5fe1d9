"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { hasFieldErrors, schemaCheck, type FieldErrors } from "../../../_components/field-errors";
import { notify } from "../../../_components/notifications";
import { Button, ErrorNotice, inputClass } from "../../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { saveHosts } from "./hosts-actions";

const LABELS: Record<string, string> = { hosts: "hosts", allowedOrigins: "browser origins" };

/** Both lists edited in place and saved together; the server validates them and answers field errors by position ("hosts.1"). */
export function HostsForm(props: {
  partnerId: number;
  sandbox: boolean;
  hosts: string[];
  allowedOrigins: string[];
  ignoredOrigins: string[];
}) {
  const router = useRouter();
  const [hosts, setHosts] = useState<string[]>(props.hosts);
  const [origins, setOrigins] = useState<string[]>(props.allowedOrigins);
  const check = useSchemaCheck<{ hosts: string[]; allowedOrigins: string[] }>(() =>
    import("@/server/partners/origins").then((m) =>
      schemaCheck(m.partnerHostsInputSchema, (v: { hosts: string[]; allowedOrigins: string[] }) => ({
        partnerId: props.partnerId,
        hosts: v.hosts.map((h) => h.trim()).filter(Boolean),
        allowedOrigins: v.allowedOrigins.map((o) => o.trim()).filter(Boolean),
      })),
    ),
  );
  const [errors, setErrors] = useFieldErrors({ hosts, allowedOrigins: origins }, check);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const dirty = hosts.join("\n") !== props.hosts.join("\n") || origins.join("\n") !== props.allowedOrigins.join("\n");

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Empty rows are rows not filled in, not values; dropping them keeps the server's positions those of the rows shown.
    const sentHosts = hosts.map((h) => h.trim()).filter(Boolean);
    const sentOrigins = origins.map((o) => o.trim()).filter(Boolean);
    setHosts(sentHosts);
    setOrigins(sentOrigins);
    setBusy(true);
    const result = await saveHosts({ partnerId: props.partnerId, hosts: sentHosts, allowedOrigins: sentOrigins }).catch(
      () => undefined,
    );
    setBusy(false);
    if (result?.ok) {
      setErrors({});
      setProblem(undefined);
      const { changed } = result.value;
      notify.success(
        changed.length === 0
          ? "Nothing to save: the hosts and origins are unchanged"
          : `Saved ${changed.map((k) => LABELS[k] ?? k).join(" and ")}`,
      );
      router.refresh();
      return;
    }
    setErrors(result?.fieldErrors ?? {}, { hosts: sentHosts, allowedOrigins: sentOrigins });
    const unshown =
      result && hasFieldErrors(result.fieldErrors)
        ? undefined
        : (result?.message ?? "The change could not be sent; check the connection and try again.");
    setProblem(unshown);
    if (unshown) notify.error(unshown);
  }

  function discard() {
    setHosts(props.hosts);
    setOrigins(props.allowedOrigins);
    setErrors({});
    setProblem(undefined);
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="space-y-6">
      <ListField
        legend="Hosts"
        itemLabel="Host"
        field="hosts"
        hint="Hostnames only, such as app.acmepay.example (no https://, port or path). A host belongs to one partner."
        placeholder="app.acmepay.example"
        values={hosts}
        errors={errors}
        disabled={busy}
        onChange={setHosts}
        notes={
          hosts.length > 0 && props.hosts.length > 0 && hosts[0] === props.hosts[0] ? { 0: "Emails link here" } : {}
        }
      />
      <ListField
        legend="Browser origins"
        itemLabel="Origin"
        field="allowedOrigins"
        hint={
          props.sandbox
            ? "https origins such as https://app.acmepay.example, or http://localhost:PORT while developing."
            : "https origins such as https://app.acmepay.example (http://localhost is for sandbox partners only)."
        }
        placeholder="https://app.acmepay.example"
        values={origins}
        errors={errors}
        disabled={busy}
        onChange={setOrigins}
        notes={Object.fromEntries(
          origins.flatMap((o, i) =>
            props.ignoredOrigins.includes(o)
              ? [[i, "Not used: this partner is live, and localhost origins are for sandboxes"]]
              : [],
          ),
        )}
      />
      <div className="flex gap-2">
        <Button type="submit" disabled={busy || !dirty}>
          {busy ? "Saving…" : "Save hosts and origins"}
        </Button>
        <Button variant="secondary" disabled={busy || !dirty} onClick={discard}>
          Discard changes
        </Button>
      </div>
      {problem && <ErrorNotice>{problem}</ErrorNotice>}
    </form>
  );
}

function ListField(p: {
  legend: string;
  itemLabel: string;
  field: string;
  hint: string;
  placeholder: string;
  values: string[];
  errors: FieldErrors;
  disabled: boolean;
  onChange: (values: string[]) => void;
  notes: Record<number, string>;
}) {
  const id = useId();
  const listError = p.errors[p.field];
  const set = (index: number, value: string) => p.onChange(p.values.map((v, i) => (i === index ? value : v)));
  return (
    <fieldset aria-describedby={listError ? `${id}-error` : `${id}-hint`} className="space-y-2">
      <legend className="text-sm font-medium text-slate-800">{p.legend}</legend>
      <p id={`${id}-hint`} className="text-xs text-slate-600">
        {p.hint}
      </p>
      {p.values.length === 0 && <p className="text-sm text-slate-600">None yet.</p>}
      <ul className="space-y-2">
        {p.values.map((value, i) => {
          const label = `${p.itemLabel} ${i + 1}`;
          const error = p.errors[`${p.field}.${i}`];
          const note = p.notes[i];
          return (
            <li key={i} className="flex flex-wrap items-start gap-2">
              <div className="flex min-w-0 flex-1 flex-col gap-1">
                <label htmlFor={`${id}-${i}`} className="sr-only">
                  {label}
                </label>
                <input
                  id={`${id}-${i}`}
                  type="text"
                  inputMode="url"
                  autoCapitalize="none"
                  spellCheck={false}
                  value={value}
                  placeholder={p.placeholder}
                  disabled={p.disabled}
                  aria-invalid={Boolean(error)}
                  {...(error || note ? { "aria-describedby": `${id}-${i}-note` } : {})}
                  onChange={(e) => set(i, e.target.value)}
                  className={`${inputClass} w-full font-mono sm:max-w-md`}
                />
                {(error ?? note) && (
                  <p id={`${id}-${i}-note`} className={`text-sm ${error ? "text-rose-700" : "text-slate-600"}`}>
                    {error ?? note}
                  </p>
                )}
              </div>
              <Button
                variant="secondary"
                disabled={p.disabled}
                aria-label={`Remove ${label.toLowerCase()}`}
                onClick={() => p.onChange(p.values.filter((_, j) => j !== i))}
              >
                Remove
              </Button>
            </li>
          );
        })}
      </ul>
      {listError && (
        <p id={`${id}-error`} className="text-sm text-rose-700">
          {listError}
        </p>
      )}
      <Button variant="secondary" disabled={p.disabled} onClick={() => p.onChange([...p.values, ""])}>
        Add {p.itemLabel.toLowerCase()}
      </Button>
    </fieldset>
  );
}
