"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { AddEndpointInput } from "@/server/webhooks/schemas";
import { CopyableValue } from "../../../_components/copyable-value";
import { hasFieldErrors, schemaCheck } from "../../../_components/field-errors";
import { notify } from "../../../_components/notifications";
import { Button, Field, inputClass } from "../../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { addWebhookEndpoint } from "./webhook-actions";

type EventType = NonNullable<AddEndpointInput["eventTypes"]>[number];

/** The add form: a URL and the event types (none ticked: every type); the new endpoint's secret is shown once, here. */
export function AddWebhookForm({
  partnerId,
  eventTypes,
  full,
}: {
  partnerId: number;
  eventTypes: readonly EventType[];
  full: boolean;
}) {
  const router = useRouter();
  const [url, setUrl] = useState("");
  const [chosen, setChosen] = useState<EventType[]>([]);
  const check = useSchemaCheck<{ url: string; eventTypes: EventType[] }>(() =>
    import("@/server/webhooks/schemas").then((m) =>
      schemaCheck(m.addEndpointSchema, (v: { url: string; eventTypes: EventType[] }) => ({ partnerId, ...v })),
    ),
  );
  const [errors, setErrors] = useFieldErrors({ url, eventTypes: chosen }, check);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<{ url: string; secret: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    setBusy(true);
    const result = await addWebhookEndpoint({ partnerId, url: url.trim(), eventTypes: chosen }).catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      setErrors({});
      setAdded({ url: result.value.url, secret: result.value.secret });
      setUrl("");
      setChosen([]);
      notify.success(`Added the endpoint ${result.value.url}`);
      router.refresh();
      return;
    }
    setErrors(result?.fieldErrors ?? {});
    if (!result || !hasFieldErrors(result.fieldErrors))
      notify.error(result?.message ?? "The endpoint could not be added; check the connection and try again.");
  }

  const typeError = Object.entries(errors).find(([path]) => path.startsWith("eventTypes"))?.[1];
  return (
    <div className="space-y-4">
      {added && (
        <div className="rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
          <p role="status" className="font-medium">
            Added {added.url}.
          </p>
          <div className="mt-3">
            <CopyableValue
              wide
              label="Signing secret"
              value={added.secret}
              copyLabel="Copy secret"
              note="This secret won't be shown again. The partner's receiver verifies every delivery with it (Standard Webhooks); if it is lost, rotate the secret."
              actions={
                <Button variant="secondary" onClick={() => setAdded(null)}>
                  Done
                </Button>
              }
            />
          </div>
        </div>
      )}
      {full ? (
        <p className="text-sm text-slate-700">
          This partner has the most endpoints it may have (5). Remove one to add another.
        </p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate className="space-y-3" aria-label="Add webhook endpoint">
          <div className="sm:max-w-xl">
            <Field
              label="Endpoint URL"
              error={errors.url}
              hint="The partner's https URL that receives the events, such as https://api.acmepay.example/webhooks"
            >
              {(p) => (
                <input
                  {...p}
                  type="url"
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                  maxLength={2048}
                  autoComplete="off"
                  disabled={busy}
                  className={`${inputClass} w-full`}
                />
              )}
            </Field>
          </div>
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Events</legend>
            <p className="text-xs text-slate-600">None ticked: every event, including types added later.</p>
            <div className="mt-2 grid gap-1 sm:grid-cols-3">
              {eventTypes.map((type) => (
                <label key={type} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={chosen.includes(type)}
                    disabled={busy}
                    onChange={(e) =>
                      setChosen((now) => (e.target.checked ? [...now, type] : now.filter((t) => t !== type)))
                    }
                  />
                  <span className="font-mono text-xs">{type}</span>
                </label>
              ))}
            </div>
            {typeError && <p className="mt-1 text-sm text-rose-700">{typeError}</p>}
          </fieldset>
          <Button type="submit" disabled={busy}>
            {busy ? "Adding…" : "Add endpoint"}
          </Button>
        </form>
      )}
    </div>
  );
}
