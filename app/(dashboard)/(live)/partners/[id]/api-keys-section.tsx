"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type FormEvent } from "react";
import type { AppRouter } from "@/server/api/root";
import { createApiKeySchema } from "@/server/partners/schemas";
import { CopyableValue } from "../../../../_components/copyable-value";
import { issueMessages, schemaCheck, topLevelMessages } from "../../../../_components/field-errors";
import { notify } from "../../../../_components/notifications";
import { fieldErrorsOf, messageOf, useTRPC } from "../../../../_components/trpc";
import { Button, ConfirmDialog, EmptyState, ErrorNotice, Field, inputClass, Spinner } from "../../../../_components/ui";
import { Badge } from "../../../../_components/display";
import { useFieldErrors } from "../../../../_components/use-field-errors";
import { formatDateTime } from "../../../../_components/vocabulary";

type KeyRow = inferRouterOutputs<AppRouter>["apiKey"]["list"][number];

interface Issued {
  name: string;
  key: string;
}

/** A partner's master API keys: issue one (shown once), see when each was last used, revoke. */
export function ApiKeysSection({ partnerId, partnerName }: { partnerId: number; partnerName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.apiKey.list.queryOptions({ partnerId }));
  const [name, setName] = useState("");
  const [errors, setErrors] = useFieldErrors(
    { name },
    schemaCheck(createApiKeySchema, (v: { name: string }) => ({ partnerId, ...v }), { topLevel: true }),
  );
  const [issued, setIssued] = useState<Issued | null>(null);
  const [revoking, setRevoking] = useState<KeyRow | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKey.list.queryKey({ partnerId }) });

  const create = useMutation(
    trpc.apiKey.create.mutationOptions({
      onSuccess: (created) => {
        setIssued({ name: created.name, key: created.key });
        setName("");
        notify.success(`Created key ${created.name}`);
        return refresh();
      },
      onError: (error) => {
        if (Object.keys(fieldErrorsOf(error)).length === 0) notify.error(messageOf(error));
      },
    }),
  );
  const revoke = useMutation(
    trpc.apiKey.revoke.mutationOptions({
      onSuccess: (_, input) => {
        const revoked = list.data?.find((k) => k.id === input.keyId);
        notify.success(`Revoked key ${revoked?.name ?? ""}: calls with it are refused from now on`);
        setRevoking(null);
        return refresh();
      },
      onError: (error) => {
        notify.error(messageOf(error));
        setRevoking(null);
        return refresh();
      },
    }),
  );
  const nameError = errors.name;

  function submit(event: FormEvent) {
    event.preventDefault();
    setIssued(null);
    const parsed = createApiKeySchema.safeParse({ partnerId, name });
    if (!parsed.success) {
      setErrors(issueMessages(parsed.error.issues, { topLevel: true }));
      create.reset();
      return;
    }
    setErrors({});
    create.mutate(parsed.data, { onError: (e) => setErrors(topLevelMessages(fieldErrorsOf(e))) });
  }

  const rows = list.data ?? [];
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

      <form onSubmit={submit} noValidate className="mt-4 flex flex-wrap items-start gap-3">
        <div className="w-full sm:w-80">
          <Field label="Key name" error={nameError} hint="Where the key will be used, e.g. Production backend">
            {(p) => (
              <input
                {...p}
                value={name}
                onChange={(e) => setName(e.target.value)}
                maxLength={80}
                autoComplete="off"
                disabled={create.isPending}
                className={`${inputClass} w-full`}
              />
            )}
          </Field>
        </div>
        <Button type="submit" className="sm:mt-6" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
      </form>

      <div className="mt-6">
        {list.isPending ? (
          <Spinner label="Loading API keys" />
        ) : list.isError ? (
          <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
        ) : rows.length === 0 ? (
          <EmptyState title="No API keys yet">Create one with the form above.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200" aria-busy={list.isFetching}>
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
                          disabled={revoke.isPending}
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
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate({ keyId: revoking.id })}
        onCancel={() => setRevoking(null)}
      >
        {`Calls with ${revoking?.prefix ?? ""}… are refused from the very next request. This cannot be undone; a system still using the key stops working.`}
      </ConfirmDialog>
    </section>
  );
}
