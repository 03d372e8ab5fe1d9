"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState, type FormEvent, type ReactNode } from "react";
import type { AppRouter } from "@/server/api/root";
import { partnerStatusChangeSchema, reassignPartnerSchema, updatePartnerSchema } from "@/server/partners/schemas";
import { issueMessages, schemaCheck, topLevelMessages } from "../../../../_components/field-errors";
import { notify } from "../../../../_components/notifications";
import { fieldErrorsOf, httpStatusOf, messageOf, useTRPC } from "../../../../_components/trpc";
import { Section } from "../../../../_components/section";
import { useFieldErrors } from "../../../../_components/use-field-errors";
import {
  Button,
  ConfirmDialog,
  EmptyState,
  ErrorNotice,
  Field,
  inputClass,
  PageHeader,
  Spinner,
} from "../../../../_components/ui";
import { PartnerStatusBadge } from "../../../../_components/display";
import { formatClientCount, formatDateTime } from "../../../../_components/vocabulary";
import {
  settingsCandidateOf,
  SettingsFields,
  settingsFormOf,
  type SettingsFormState,
} from "../../../partners/settings-fields";
import { ApiKeysSection } from "./api-keys-section";

type Detail = inferRouterOutputs<AppRouter>["partner"]["get"];
type Role = "admin" | "kam";

const settingLabels: Record<string, string> = {
  name: "name",
  sandbox: "sandbox",
  captchaRequired: "captcha",
  quotaPerIpHour: "per-IP quota",
  quotaTotalHour: "total quota",
  allowedUserTypes: "user types",
  defaultCurrency: "currency",
  kycApprovedLevel: "KYC approved level",
};

/** Errors without a field go to a toast; field errors are shown next to their field. */
function toastUnlessFieldError(error: unknown) {
  if (Object.keys(fieldErrorsOf(error)).length === 0) notify.error(messageOf(error));
}

export function PartnerDetail({ partnerId, role }: { partnerId: number | null; role: Role }) {
  if (partnerId === null) return <NotFound />;
  return <PartnerView partnerId={partnerId} role={role} />;
}

function NotFound() {
  return (
    <div>
      <BackLink />
      <PageHeader title="Partner not found" />
      <EmptyState title="No such partner">It may not exist, or belong to another key account manager.</EmptyState>
    </div>
  );
}

function BackLink() {
  return (
    <Link
      href="/partners"
      className="mb-2 inline-block text-sm text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
    >
      ← Partners
    </Link>
  );
}

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function useInvalidatePartner() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.partner.pathKey() });
}

function PartnerView({ partnerId, role }: { partnerId: number; role: Role }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.partner.get.queryOptions({ partnerId }));

  if (detail.isPending) return <Spinner label="Loading partner" />;
  if (detail.isError) {
    if ([400, 404].includes(httpStatusOf(detail.error) ?? 0)) return <NotFound />;
    return (
      <div>
        <BackLink />
        <PageHeader title="Partner" />
        <ErrorNotice>{messageOf(detail.error)}</ErrorNotice>
      </div>
    );
  }
  const p = detail.data;
  return (
    <div className="max-w-5xl space-y-8">
      <div>
        <BackLink />
        <PageHeader title={p.name} description={`partnerId ${p.id}${p.sandbox ? " · sandbox" : ""}`} />
        <dl className="grid gap-4 rounded-lg border border-slate-200 bg-white p-6 sm:grid-cols-2 lg:grid-cols-3">
          <Term label="partnerId">
            <code className="font-mono">{p.id}</code>
          </Term>
          <Term label="Status">
            <PartnerStatusBadge status={p.status} />
          </Term>
          <Term label="Mode">{p.sandbox ? "Sandbox (test data only)" : "Live"}</Term>
          <Term label="Key account manager">{p.owner ? `${p.owner.name} (${p.owner.email})` : "No owner"}</Term>
          <Term label="Clients">
            <Link
              href={`/clients?partnerId=${p.id}`}
              className="text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
            >
              {formatClientCount(p)} client{p.clientCount === 1 && !p.clientCountCapped ? "" : "s"}
            </Link>
          </Term>
          <Term label="Created">{formatDateTime(p.createdAt, { zone: true })}</Term>
          <Term label="Last changed">{formatDateTime(p.updatedAt, { zone: true })}</Term>
        </dl>
      </div>
      <SettingsSection key={p.updatedAt.getTime()} partner={p} role={role} />
      <ApiKeysSection partnerId={p.id} partnerName={p.name} />
      <StatusSection key={p.status} partner={p} />
      {role === "admin" && <OwnerSection key={p.ownerStaffId ?? "none"} partner={p} />}
    </div>
  );
}

function SettingsSection({ partner, role }: { partner: Detail; role: Role }) {
  const trpc = useTRPC();
  const invalidate = useInvalidatePartner();
  const saved = settingsFormOf(partner);
  const [form, setForm] = useState<SettingsFormState>(saved);
  const [errors, setErrors] = useFieldErrors(
    form,
    schemaCheck(updatePartnerSchema, (f: SettingsFormState) => ({ partnerId: partner.id, ...settingsCandidateOf(f) }), {
      topLevel: true,
    }),
  );
  const update = useMutation(
    trpc.partner.update.mutationOptions({
      onSuccess: ({ changed }) => {
        notify.success(
          changed.length === 0
            ? "Nothing to save: the settings are unchanged"
            : `Saved ${changed.map((k) => settingLabels[k] ?? k).join(", ")}`,
        );
        return invalidate();
      },
      onError: toastUnlessFieldError,
    }),
  );
  const dirty = JSON.stringify(settingsCandidateOf(form)) !== JSON.stringify(settingsCandidateOf(saved));

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = updatePartnerSchema.safeParse({ partnerId: partner.id, ...settingsCandidateOf(form) });
    if (!parsed.success) {
      setErrors(issueMessages(parsed.error.issues, { topLevel: true }));
      update.reset();
      return;
    }
    setErrors({});
    update.mutate(parsed.data, { onError: (e) => setErrors(topLevelMessages(fieldErrorsOf(e))) });
  }

  return (
    <Section
      id="settings"
      title="Settings"
      description="Changes apply to the partner's next public API call. Every change is recorded in the audit log."
    >
      <form onSubmit={submit} noValidate className="space-y-4">
        <SettingsFields
          form={form}
          errors={errors}
          onChange={setForm}
          disabled={update.isPending}
          adminOnly={role === "admin" ? undefined : { sandbox: true, quotasOff: !partner.sandbox }}
        />
        <div className="flex gap-2">
          <Button type="submit" disabled={update.isPending || !dirty}>
            {update.isPending ? "Saving…" : "Save settings"}
          </Button>
          <Button
            variant="secondary"
            disabled={update.isPending || !dirty}
            onClick={() => {
              setForm(saved);
              setErrors({});
              update.reset();
            }}
          >
            Discard changes
          </Button>
        </div>
      </form>
    </Section>
  );
}

function StatusSection({ partner }: { partner: Detail }) {
  const trpc = useTRPC();
  const invalidate = useInvalidatePartner();
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useFieldErrors(
    { reason },
    schemaCheck(partnerStatusChangeSchema, (v: { reason: string }) => ({ partnerId: partner.id, ...v }), {
      topLevel: true,
    }),
  );
  const [confirming, setConfirming] = useState(false);
  const suspending = partner.status === "active";
  const options = {
    onSuccess: () => {
      setConfirming(false);
      notify.success(
        suspending
          ? `Suspended ${partner.name}: its public API calls are refused from now on`
          : `Reactivated ${partner.name}: its public API calls work again`,
      );
      return invalidate();
    },
    onError: (error: unknown) => {
      setConfirming(false);
      toastUnlessFieldError(error);
    },
  };
  const suspend = useMutation(trpc.partner.suspend.mutationOptions(options));
  const reactivate = useMutation(trpc.partner.reactivate.mutationOptions(options));
  const mutation = suspending ? suspend : reactivate;
  const error = errors.reason;

  function ask(event: FormEvent) {
    event.preventDefault();
    const parsed = partnerStatusChangeSchema.safeParse({ partnerId: partner.id, reason });
    if (!parsed.success) {
      setErrors(issueMessages(parsed.error.issues, { topLevel: true }));
      return;
    }
    setErrors({});
    setConfirming(true);
  }

  return (
    <Section
      id="status"
      title="Status"
      description={
        suspending
          ? "Suspending refuses the partner's public API calls (registration, sign-in) at once. Nothing is deleted; you can reactivate it later."
          : "The partner is suspended: its public API calls are refused. Reactivating lets them through again."
      }
    >
      <form onSubmit={ask} noValidate className="flex flex-col gap-3 sm:max-w-xl">
        <p className="text-sm">
          Currently <PartnerStatusBadge status={partner.status} />
        </p>
        <Field
          label={suspending ? "Reason for suspending" : "Reason for reactivating"}
          error={error}
          hint="Recorded in the audit log (3–500 characters)"
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
        <div>
          <Button type="submit" variant={suspending ? "danger" : "primary"} disabled={mutation.isPending}>
            {suspending ? "Suspend partner" : "Reactivate partner"}
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={confirming}
        title={suspending ? `Suspend ${partner.name}?` : `Reactivate ${partner.name}?`}
        confirmLabel={suspending ? "Suspend" : "Reactivate"}
        busy={mutation.isPending}
        onConfirm={() =>
          mutation.mutate(
            { partnerId: partner.id, reason },
            { onError: (e) => setErrors(topLevelMessages(fieldErrorsOf(e))) },
          )
        }
        onCancel={() => setConfirming(false)}
      >
        {suspending
          ? `From the next request on, registrations and sign-ins for partnerId ${partner.id} are refused with partner_suspended. Its clients and keys stay as they are.`
          : `Registrations and sign-ins for partnerId ${partner.id} work again from the next request on.`}
      </ConfirmDialog>
    </Section>
  );
}

function OwnerSection({ partner }: { partner: Detail }) {
  const trpc = useTRPC();
  const invalidate = useInvalidatePartner();
  const kams = useQuery({
    ...trpc.staff.list.queryOptions(),
    select: (rows) => rows.filter((r) => r.role === "kam" && r.active),
  });
  const [owner, setOwner] = useState(partner.ownerStaffId ?? "");
  const [errors, setErrors] = useFieldErrors(
    { ownerStaffId: owner },
    schemaCheck(reassignPartnerSchema, (v: { ownerStaffId: string }) => ({ partnerId: partner.id, ...v }), {
      topLevel: true,
    }),
  );
  const reassign = useMutation(
    trpc.partner.reassign.mutationOptions({
      onSuccess: ({ owner: kam }) => {
        notify.success(`${partner.name} is now managed by ${kam.name}`);
        return invalidate();
      },
      onError: toastUnlessFieldError,
    }),
  );
  const error = errors.ownerStaffId;

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = reassignPartnerSchema.safeParse({ partnerId: partner.id, ownerStaffId: owner });
    if (!parsed.success) {
      setErrors(issueMessages(parsed.error.issues, { topLevel: true }));
      return;
    }
    setErrors({});
    reassign.mutate(parsed.data, { onError: (e) => setErrors(topLevelMessages(fieldErrorsOf(e))) });
  }

  return (
    <Section
      id="owner"
      title="Key account manager"
      description="The KAM who owns this partner sees it, its clients and its keys. The previous owner loses access with their next request."
    >
      <form onSubmit={submit} noValidate className="flex flex-wrap items-start gap-3">
        <div className="w-full sm:w-96">
          <Field label="Owner" error={error} hint={kams.isError ? messageOf(kams.error) : undefined}>
            {(p) => (
              <select
                {...p}
                value={owner}
                onChange={(e) => setOwner(e.target.value)}
                disabled={reassign.isPending || kams.isPending}
                className={`${inputClass} w-full`}
              >
                <option value="">
                  {kams.isPending ? "Loading key account managers…" : "Choose a key account manager"}
                </option>
                {partner.owner && !(kams.data ?? []).some((k) => k.id === partner.owner!.id) && (
                  <option value={partner.owner.id} disabled>
                    {partner.owner.name} ({partner.owner.email}) — no longer an active KAM
                  </option>
                )}
                {(kams.data ?? []).map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name} ({k.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Button
          type="submit"
          className="sm:mt-6"
          disabled={reassign.isPending || owner === (partner.ownerStaffId ?? "")}
        >
          {reassign.isPending ? "Reassigning…" : "Reassign"}
        </Button>
      </form>
    </Section>
  );
}
