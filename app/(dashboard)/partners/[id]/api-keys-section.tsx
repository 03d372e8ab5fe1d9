"use client";

import type { ProcedureOutputs } from "@/server/api/server-caller";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { CopyableValue } from "../../../_components/copyable-value";
import { hasFieldErrors, schemaCheck, topLevelMessages } from "../../../_components/field-errors";
import { notify } from "../../../_components/notifications";
import { Button, ConfirmDialog, EmptyState, Field, inputClass } from "../../../_components/ui";
import { Badge } from "../../../_components/display";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { formatDateTime } from "../../../_components/vocabulary";
import { createApiKey, revokeApiKey } from "./partner-actions";

type KeyRow = ProcedureOutputs["apiKey"]["list"][number];

interface Issued {
  name: string;
  key: string;
}

const offline = "The change could not be sent; check the connection and try again.";

/**
 * A partner's master API keys: issue one (shown once), see when each was last
 * used, revoke. The page reads the keys on the server through `apiKey.list`;
 * each change is a server action, after which the page renders again.
 */
export function ApiKeysSection({
  partnerId,
  partnerName,
  rows,
}: {
  partnerId: number;
  partnerName: string;
  rows: KeyRow[];
}) {
  const router = useRouter();
  const [name, setName] = useState("");
  const check = useSchemaCheck<{ name: string }>(() =>
    import("@/server/partners/schemas").then((m) =>
      schemaCheck(m.createApiKeySchema, (v: { name: string }) => ({ partnerId, ...v }), { topLevel: true }),
    ),
  );
  const [errors, setErrors] = useFieldErrors({ name }, check);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [revoking, setRevoking] = useState<KeyRow | null>(null);
  const [creating, setCreating] = useState(false);
  const [revokingBusy, setRevokingBusy] = useState(false);
  const nameError = errors.name;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setIssued(null);
    setCreating(true);
    const result = await createApiKey({ partnerId, name }).catch(() => undefined);
    setCreating(false);
    if (result?.ok) {
      setIssued(result.value);
      setName("");
      setErrors({});
      notify.success(`Created key ${result.value.name}`);
      router.refresh();
      return;
    }
    const fields = topLevelMessages(result?.fieldErrors ?? {});
    setErrors(fields);
    if (!result || !hasFieldErrors(fields)) notify.error(result?.message ?? offline);
  }

  async function revoke(key: KeyRow) {
    setRevokingBusy(true);
    const result = await revokeApiKey(partnerId, key.id).catch(() => undefined);
    setRevokingBusy(false);
    setRevoking(null);
    if (result?.ok) notify.success(`Revoked key ${key.name}: calls with it are refused from now on`);
    else notify.error(result?.message ?? offline);
    router.refresh();
  }

  return (
    <section aria-labelledby="api-keys-heading" className="rounded-lg border border-slate-200 bg-white p-6">
      <h2 id="api-keys-heading" className="text-lg font-semibold text-slate-900">
        API keys
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Master API keys let {partnerName}&apos;s backend call the white-label API with verification powers. A key is
        shown once, when it is created; only its first characters are kept for telling keys apart.
      </p>

      {issued && (
        <div className="mt-4 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
          <p role="status" className="font-medium">
            Created key {issued.name}.
          </p>
          <div className="mt-3">
            <CopyableValue
              wide
              label="New master API key"
              value={issued.key}
              copyLabel="Copy key"
              note="This key won't be shown again. Store it in the partner's secret store now; if it is lost, create a new key and revoke this one."
              actions={
                <Button variant="secondary" onClick={() => setIssued(null)}>
                  Done
                </Button>
              }
            />
          </div>
        </div>
      )}

      <form onSubmit={(e) => void submit(e)} noValidate className="mt-4 flex flex-wrap items-start gap-3">
        <div className="w-full sm:w-80">
          <Field label="Key name" error={nameError} hint="Where the key will be used, e.g. Production backend">
            {(p) => (
              <input
                {...p}
                value={name}
                onChange={(e) => setName(e.target.value)}
                maxLength={80}
                autoComplete="off"
                disabled={creating}
                className={`${inputClass} w-full`}
              />
            )}
          </Field>
        </div>
        <Button type="submit" className="sm:mt-6" disabled={creating}>
          {creating ? "Creating…" : "Create key"}
        </Button>
      </form>

      <div className="mt-6">
        {rows.length === 0 ? (
          <EmptyState title="No API keys yet">Create one with the form above.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200" aria-busy={revokingBusy}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Master API keys</caption>
              <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Name
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Key
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Created by
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Created
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Last used
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((k) => (
                  <tr key={k.id} className={k.revokedAt ? "bg-slate-50 text-slate-600" : "hover:bg-slate-50"}>
                    <th scope="row" className="px-3 py-2 text-left font-medium text-slate-900">
                      {k.name}
                    </th>
                    <td className="px-3 py-2 font-mono text-xs">{k.prefix}…</td>
                    <td className="px-3 py-2">{k.createdBy ? k.createdBy.name : "Admin CLI"}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                      {formatDateTime(k.createdAt, { zone: true })}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                      {k.lastUsedAt ? formatDateTime(k.lastUsedAt, { zone: true }) : "Never"}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2">
                      {k.revokedAt ? (
                        <Badge tone="grey">{`Revoked ${formatDateTime(k.revokedAt, { zone: true })}`}</Badge>
                      ) : (
                        <Badge tone="green">Active</Badge>
                      )}
                    </td>
                    <td className="px-3 py-2 text-right">
                      {!k.revokedAt && (
                        <Button
                          variant="danger"
                          onClick={() => setRevoking(k)}
                          disabled={revokingBusy}
                          aria-label={`Revoke key ${k.name}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>

      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke key ${revoking?.name ?? ""}?`}
        confirmLabel="Revoke key"
        busy={revokingBusy}
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => setRevoking(null)}
      >
        {`Calls with ${revoking?.prefix ?? ""}… are refused from the very next request. This cannot be undone; a system still using the key stops working.`}
      </ConfirmDialog>
    </section>
  );
}
