"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { notify } from "../../../../_components/notifications";
import type { AppRouter } from "@/server/api/root";
import { changeStateSchema, changeVerificationSchema } from "@/server/clients/schemas";
import type { inferRouterOutputs } from "@trpc/server";
import { issueMessages, type FieldErrors } from "../../../../_components/field-errors";
import { useFieldErrors } from "../../../../_components/use-field-errors";
import { fieldErrorsOf, httpStatusOf, messageOf, useTRPC } from "../../../../_components/trpc";
import { Section, Table } from "../../../../_components/section";
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
import {
  clientStateLabels as stateLabels,
  formatDateTime,
  verificationLabels,
} from "../../../../_components/vocabulary";
import { KycStateSummary, KycTimeline } from "../../kyc/kyc-timeline";
import { BillingSection } from "./billing-section";
import { PasswordResetSection } from "./password-reset-section";

type Detail = inferRouterOutputs<AppRouter>["client"]["get"];
type VerificationStatus = Detail["verification"]["status"];
type ClientState = keyof typeof stateLabels;

const when = (d: Date | null | undefined) => formatDateTime(d, { zone: true });
const originLabels = {
  partner_api: "Partner API",
  white_label_api: "White-label API",
  back_office: "Back office",
  import: "Import",
} as const;

/** Same zod schema as the server: errors show in place before a request is made. */
function localErrors(result: {
  success: boolean;
  error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
}): FieldErrors {
  return result.success || !result.error ? {} : issueMessages(result.error.issues);
}

/** Errors without a field go to a toast; field errors are shown next to their field. */
function toastUnlessFieldError(error: unknown) {
  if (Object.keys(fieldErrorsOf(error)).length === 0) notify.error(messageOf(error));
}

export default function ClientPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const detail = useQuery(trpc.client.get.queryOptions({ id }));
  const me = useQuery(trpc.account.me.queryOptions());
  const canChange = me.data !== undefined && me.data.role !== "kam";

  if (detail.isPending) return <Spinner label="Loading client" />;
  if (detail.isError) {
    const notFound = [400, 404].includes(httpStatusOf(detail.error) ?? 0);
    return (
      <div>
        <BackLink />
        {notFound ? (
          <EmptyState title="No such client">It may belong to a partner you do not manage.</EmptyState>
        ) : (
          <ErrorNotice>{messageOf(detail.error)}</ErrorNotice>
        )}
      </div>
    );
  }
  const c = detail.data;
  const name = [c.profile.firstName, c.profile.lastName].filter(Boolean).join(" ");
  return (
    <div className="max-w-5xl space-y-8">
      <div>
        <BackLink />
        <PageHeader
          title={c.profile.email}
          description={`${name || "No name"} · ${c.partner.name} (partner ${c.partner.id})`}
        />
      </div>
      <ProfileSection detail={c} />
      <VerificationSection key={`${c.verification.status}-${c.verification.level}`} detail={c} canChange={canChange} />
      <KycSection clientId={c.profile.id} />
      <StateSection key={c.profileState} detail={c} canChange={canChange} />
      <PasswordResetSection
        clientId={c.profile.id}
        email={c.profile.email}
        canChange={canChange}
        state={c.profileState}
      />
      <AccountsSection detail={c} />
      <BillingSection clientId={c.profile.id} email={c.profile.email} mayCredit={canChange} />
      <SessionsSection detail={c} canChange={canChange} />
      <AuditSection detail={c} />
    </div>
  );
}

function BackLink() {
  return (
    <Link
      href="/clients"
      className="mb-2 inline-block text-sm text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
    >
      ← Clients
    </Link>
  );
}

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children ?? "—"}</dd>
    </div>
  );
}

function useInvalidateClient(id: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  return () => {
    // The Clients list renders on the server: refreshing drops the router's copy of it, so going
    // back to the list shows the change rather than the list as it was.
    router.refresh();
    return queryClient.invalidateQueries({ queryKey: trpc.client.get.queryKey({ id }) });
  };
}

function ProfileSection({ detail: c }: { detail: Detail }) {
  const p = c.profile;
  const address = [p.address.address1, p.address.address2, p.address.postalCode, p.address.state]
    .filter(Boolean)
    .join(", ");
  return (
    <Section id="profile" title="Profile">
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Term label="Client id">
          <code className="font-mono text-xs">{p.id}</code>
        </Term>
        <Term label="Email">{p.email}</Term>
        <Term label="Email confirmed">{when(p.emailConfirmedAt)}</Term>
        <Term label="First name">{p.firstName}</Term>
        <Term label="Last name">{p.lastName}</Term>
        <Term label="Birth date">{p.birthDate}</Term>
        <Term label="Country">{p.countryCode}</Term>
        <Term label="Address">{address || null}</Term>
        <Term label="User type">{p.userType}</Term>
        <Term label="Referral code">{p.referralCode}</Term>
        <Term label="Terms agreed">{when(p.termsAgreedAt)}</Term>
        <Term label="Device type">{p.deviceType}</Term>
        <Term label="Partner">
          {c.partner.name} ({c.partner.id})
        </Term>
        <Term label="Created">
          {when(p.createdAt)} via {originLabels[p.createdVia]}
        </Term>
        <Term label="Last updated">{when(p.updatedAt)}</Term>
      </dl>
    </Section>
  );
}

function ReasonField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  return (
    <Field label="Reason" error={error} hint="Recorded in the audit trail (3–500 characters)">
      {(p) => (
        <textarea
          {...p}
          required
          rows={2}
          maxLength={500}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          className={`${inputClass} w-full`}
        />
      )}
    </Field>
  );
}

function VerificationSection({ detail: c, canChange }: { detail: Detail; canChange: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateClient(c.profile.id);
  const [status, setStatus] = useState<VerificationStatus>(c.verification.status);
  const [level, setLevel] = useState(c.verification.level);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useFieldErrors({ verificationStatus: status, verificationLevel: level, reason }, (v) =>
    localErrors(changeVerificationSchema.safeParse({ clientId: c.profile.id, ...v })),
  );
  const change = useMutation(
    trpc.client.setVerification.mutationOptions({
      onSuccess: async (r) => {
        notify.success(`Verification set to ${verificationLabels[r.verificationStatus]}, level ${r.verificationLevel}`);
        setReason("");
        await invalidate();
      },
      onError: (error) => {
        setErrors(fieldErrorsOf(error));
        toastUnlessFieldError(error);
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { clientId: c.profile.id, verificationStatus: status, verificationLevel: level, reason };
    const local = localErrors(changeVerificationSchema.safeParse(input));
    setErrors(local);
    if (Object.keys(local).length === 0) change.mutate(input);
  }

  return (
    <Section id="verification" title="Verification">
      <dl className="grid gap-4 sm:grid-cols-2">
        <Term label="Status">{verificationLabels[c.verification.status]}</Term>
        <Term label="Level">{c.verification.level}</Term>
      </dl>
      {canChange && (
        <form onSubmit={submit} noValidate className="mt-6 grid gap-4 border-t border-slate-100 pt-4 sm:grid-cols-2">
          <h3 className="text-sm font-semibold text-slate-900 sm:col-span-2">Change verification</h3>
          <Field label="Status" error={errors.verificationStatus}>
            {(p) => (
              <select
                {...p}
                value={status}
                onChange={(e) => setStatus(e.target.value as VerificationStatus)}
                className={inputClass}
              >
                {Object.entries(verificationLabels).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Level" error={errors.verificationLevel}>
            {(p) => (
              <select {...p} value={level} onChange={(e) => setLevel(Number(e.target.value))} className={inputClass}>
                {[0, 1, 2, 3, 4, 5].map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="sm:col-span-2">
            <ReasonField value={reason} onChange={setReason} error={errors.reason} />
          </div>
          <div>
            <Button type="submit" disabled={change.isPending}>
              {change.isPending ? "Saving…" : "Change verification"}
            </Button>
          </div>
        </form>
      )}
    </Section>
  );
}

function KycSection({ clientId }: { clientId: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.kyc.get.queryOptions({ id: clientId }));
  return (
    <Section id="kyc" title="KYC" description="Identity verification with the provider and staff decisions.">
      {history.isPending ? (
        <Spinner label="Loading the KYC history" />
      ) : history.isError ? (
        <ErrorNotice>{messageOf(history.error)}</ErrorNotice>
      ) : (
        <div className="space-y-6">
          <KycStateSummary verification={history.data.verification} />
          <div>
            <h3 className="mb-2 text-sm font-semibold text-slate-900">History</h3>
            <KycTimeline events={history.data.events} />
          </div>
          <Link
            href={`/kyc/${clientId}`}
            className="inline-block text-sm font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
          >
            Open the KYC decision page
          </Link>
        </div>
      )}
    </Section>
  );
}

function StateSection({ detail: c, canChange }: { detail: Detail; canChange: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateClient(c.profile.id);
  const choices = (Object.keys(stateLabels) as ClientState[]).filter((s) => s !== c.profileState);
  const [state, setState] = useState<ClientState>(choices[0]!);
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useFieldErrors({ state, reason }, (v) =>
    localErrors(changeStateSchema.safeParse({ clientId: c.profile.id, ...v })),
  );
  const [confirming, setConfirming] = useState(false);
  const change = useMutation(
    trpc.client.setState.mutationOptions({
      onSuccess: async (r) => {
        notify.success(
          `Client is now ${stateLabels[r.profileState].toLowerCase()}${r.sessionsRevoked ? `; ${r.sessionsRevoked} session token(s) revoked` : ""}`,
        );
        await invalidate();
      },
      onError: (error) => {
        setErrors(fieldErrorsOf(error));
        toastUnlessFieldError(error);
      },
      onSettled: () => setConfirming(false),
    }),
  );
  const input = { clientId: c.profile.id, state, reason };

  function submit(event: FormEvent) {
    event.preventDefault();
    const local = localErrors(changeStateSchema.safeParse(input));
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    // Suspending or blocking ends the client's sessions: ask first.
    if (state === "active") change.mutate(input);
    else setConfirming(true);
  }

  return (
    <Section id="state" title="State">
      <p className="text-sm">
        This client is <strong>{stateLabels[c.profileState].toLowerCase()}</strong>.
        {c.profileState !== "active" && " They cannot sign in or use their tokens."}
      </p>
      {canChange && (
        <form onSubmit={submit} noValidate className="mt-6 space-y-4 border-t border-slate-100 pt-4">
          <fieldset>
            <legend className="text-sm font-semibold text-slate-900">Change state to</legend>
            <div className="mt-2 flex flex-wrap gap-4">
              {choices.map((s) => (
                <label key={s} className="flex items-center gap-2 text-sm">
                  <input
                    type="radio"
                    name="state"
                    value={s}
                    checked={state === s}
                    onChange={() => setState(s)}
                    aria-describedby={errors.state ? "state-error" : undefined}
                  />
                  {stateLabels[s]}
                </label>
              ))}
            </div>
            {errors.state && (
              <p id="state-error" className="mt-1 text-sm text-rose-700">
                {errors.state}
              </p>
            )}
          </fieldset>
          <ReasonField value={reason} onChange={setReason} error={errors.reason} />
          <Button type="submit" variant={state === "active" ? "primary" : "danger"} disabled={change.isPending}>
            {change.isPending
              ? "Saving…"
              : state === "active"
                ? "Activate client"
                : `${state === "blocked" ? "Block" : "Suspend"} client`}
          </Button>
        </form>
      )}
      <ConfirmDialog
        open={confirming}
        title={`${state === "blocked" ? "Block" : "Suspend"} ${c.profile.email}?`}
        confirmLabel={state === "blocked" ? "Block client" : "Suspend client"}
        busy={change.isPending}
        onConfirm={() => change.mutate(input)}
        onCancel={() => setConfirming(false)}
      >
        The client is signed out everywhere at once and cannot sign in until activated again. Reason: “{reason.trim()}”.
      </ConfirmDialog>
    </Section>
  );
}

function AccountsSection({ detail: c }: { detail: Detail }) {
  return (
    <Section
      id="accounts"
      title="Accounts"
      description="Balances are the sum of each account's ledger entries; the latest 50 entries are shown."
    >
      {c.accounts.length === 0 ? (
        <EmptyState title="No accounts" />
      ) : (
        <div className="space-y-6">
          {c.accounts.map((a) => (
            <div key={a.id}>
              <h3 className="text-sm font-semibold text-slate-900">
                {a.type} account · {a.currency} · balance <span className="tabular-nums">{a.balance}</span>
              </h3>
              <p className="font-mono text-xs text-slate-500">{a.id}</p>
              {a.entries.length === 0 ? (
                <p className="mt-2 text-sm text-slate-600">No ledger entries yet.</p>
              ) : (
                <Table
                  caption={`Ledger entries of the ${a.currency} account`}
                  headers={["Date (UTC)", "Kind", "Description", "Amount"]}
                >
                  {a.entries.map((e) => (
                    <tr key={e.id}>
                      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(e.createdAt)}</td>
                      <td className="px-3 py-2">{e.kind}</td>
                      <td className="px-3 py-2">{e.description}</td>
                      <td
                        className={`px-3 py-2 text-right tabular-nums ${e.amount.startsWith("-") ? "text-rose-700" : "text-emerald-700"}`}
                      >
                        {e.amount} {e.currency}
                      </td>
                    </tr>
                  ))}
                </Table>
              )}
            </div>
          ))}
        </div>
      )}
    </Section>
  );
}

type Revocation = { familyId?: string; label: string };

function SessionsSection({ detail: c, canChange }: { detail: Detail; canChange: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateClient(c.profile.id);
  const [target, setTarget] = useState<Revocation | null>(null);
  const revoke = useMutation(
    trpc.client.revokeSession.mutationOptions({
      onSuccess: async (r) => {
        notify.success(r.familyId ? "Session ended" : "All sessions ended");
        await invalidate();
      },
      onError: (error) => notify.error(messageOf(error)),
      onSettled: () => setTarget(null),
    }),
  );
  const active = c.sessions.filter((s) => s.status === "active");
  return (
    <Section
      id="sessions"
      title="Sessions"
      description="One row per sign-in; each token refresh rotates the token within the same session."
    >
      {c.sessions.length === 0 ? (
        <EmptyState title="No sessions">The client has never signed in.</EmptyState>
      ) : (
        <>
          <Table
            caption="Sessions"
            headers={[
              "Started (UTC)",
              "Last refreshed (UTC)",
              "IP",
              "Device",
              "Status",
              ...(canChange ? ["Actions"] : []),
            ]}
          >
            {c.sessions.map((s) => (
              <tr key={s.familyId}>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.startedAt)}</td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                  {s.lastRotatedAt ? formatDateTime(s.lastRotatedAt) : "Never"}
                </td>
                <td className="px-3 py-2 font-mono text-xs">{s.ip ?? "—"}</td>
                <td className="max-w-xs truncate px-3 py-2" title={s.userAgent ?? undefined}>
                  {s.userAgent ?? "—"}
                </td>
                <td className="px-3 py-2">
                  {s.status === "revoked"
                    ? `Ended${s.revokedReason ? ` (${s.revokedReason.replaceAll("_", " ")})` : ""}`
                    : s.status === "expired"
                      ? "Expired"
                      : "Active"}
                </td>
                {canChange && (
                  <td className="px-3 py-2">
                    {s.status === "active" && (
                      <Button
                        variant="secondary"
                        onClick={() =>
                          setTarget({ familyId: s.familyId, label: `the session started ${when(s.startedAt)}` })
                        }
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
          {canChange && active.length > 1 && (
            <Button
              variant="danger"
              className="mt-4"
              onClick={() => setTarget({ label: "every session of this client" })}
            >
              End all sessions
            </Button>
          )}
        </>
      )}
      <ConfirmDialog
        open={target !== null}
        title="End the session?"
        confirmLabel="End session"
        busy={revoke.isPending}
        onConfirm={() => target && revoke.mutate({ clientId: c.profile.id, familyId: target.familyId })}
        onCancel={() => setTarget(null)}
      >
        This ends {target?.label}. The client has to sign in again on that device.
      </ConfirmDialog>
    </Section>
  );
}

function changeSummary(before: unknown, after: unknown): string {
  const parts: string[] = [];
  if (before && typeof before === "object") parts.push(`before ${JSON.stringify(before)}`);
  if (after && typeof after === "object") parts.push(`after ${JSON.stringify(after)}`);
  return parts.join(" → ") || "—";
}

function AuditSection({ detail: c }: { detail: Detail }) {
  return (
    <Section id="audit" title="Audit trail" description="Every change to this client, newest first (latest 100).">
      {c.audit.length === 0 ? (
        <EmptyState title="No events" />
      ) : (
        <Table caption="Audit trail" headers={["When (UTC)", "Who", "Action", "Change", "IP"]}>
          {c.audit.map((e) => (
            <tr key={e.id}>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(e.at)}</td>
              <td className="px-3 py-2">
                {e.actorType === "staff" ? (e.actorName ?? e.actorId) : e.actorType.replace("_", " ")}
              </td>
              <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
              <td className="max-w-md break-words px-3 py-2 font-mono text-xs">{changeSummary(e.before, e.after)}</td>
              <td className="px-3 py-2 font-mono text-xs">{e.ip ?? "—"}</td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}
