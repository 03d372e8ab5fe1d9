import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { loadPage, type ProcedureOutputs } from "@/server/api/server-caller";
import { Notifications } from "../../../_components/notifications";
import { Section, Table } from "../../../_components/section";
import { EmptyState, ErrorNotice, PageHeader } from "../../../_components/ui";
import { clientStateLabels as stateLabels, formatDateTime, verificationLabels } from "../../../_components/vocabulary";
import { KycStateSummary, KycTimeline } from "../../kyc/kyc-timeline";
import { BackLink } from "./back-link";
import { BillingSection } from "./billing-section";
import { RevokeSessionButton, StateForm, VerificationForm } from "./change-forms";
import ClientNotFound from "./not-found";
import { PasswordResetSection } from "./password-reset-section";

export const metadata: Metadata = { title: "Client" };

type Detail = ProcedureOutputs["client"]["get"];
type History = ProcedureOutputs["kyc"]["get"];

const when = (d: Date | null | undefined) => formatDateTime(d, { zone: true });
const originLabels = {
  partner_api: "Partner API",
  white_label_api: "White-label API",
  back_office: "Back office",
  import: "Import",
} as const;

/**
 * One client, read on the server through `client.get`, `kyc.get` and
 * `billing.get`; operations staff and admins change it through the islands'
 * server actions, after which the page renders again. A client the staff
 * member may not see is the "No such client" page.
 */
export default async function ClientPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/clients/${encodeURIComponent(id)}`;
  // All at once: a client the staff member may not see is the 404 page whichever call finds it out.
  const [detail, history, billing] = await Promise.all([
    loadPage(path, (api) => Promise.all([api.client.get({ id }), api.account.me()])),
    loadPage(path, (api) => api.kyc.get({ id })),
    loadPage(path, (api) => api.billing.get({ clientId: id })),
  ]);
  if (!detail.ok) {
    // Not a client id at all: no such client either.
    if (detail.kind === "invalid") return <ClientNotFound />;
    return (
      <div>
        <BackLink />
        <ErrorNotice>{detail.message}</ErrorNotice>
      </div>
    );
  }
  const [c, me] = detail.data;
  const canChange = me.role !== "kam";
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
      <Notifications />
      <ProfileSection detail={c} />
      <Section id="verification" title="Verification">
        <dl className="grid gap-4 sm:grid-cols-2">
          <Term label="Status">{verificationLabels[c.verification.status]}</Term>
          <Term label="Level">{c.verification.level}</Term>
        </dl>
        {canChange && (
          <VerificationForm
            key={`${c.verification.status}-${c.verification.level}`}
            clientId={c.profile.id}
            status={c.verification.status}
            level={c.verification.level}
          />
        )}
      </Section>
      <KycSection clientId={c.profile.id} history={history.ok ? history.data : history.message} />
      <Section id="state" title="State">
        <p className="text-sm">
          This client is <strong>{stateLabels[c.profileState].toLowerCase()}</strong>.
          {c.profileState !== "active" && " They cannot sign in or use their tokens."}
        </p>
        {canChange && (
          <StateForm key={c.profileState} clientId={c.profile.id} email={c.profile.email} current={c.profileState} />
        )}
      </Section>
      <PasswordResetSection
        clientId={c.profile.id}
        email={c.profile.email}
        canChange={canChange}
        state={c.profileState}
      />
      <AccountsSection detail={c} />
      <BillingSection clientId={c.profile.id} email={c.profile.email} mayCredit={canChange} billing={billing} />
      <SessionsSection detail={c} canChange={canChange} />
      <AuditSection detail={c} />
    </div>
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

function KycSection({ clientId, history }: { clientId: string; history: History | string }) {
  return (
    <Section id="kyc" title="KYC" description="Identity verification with the provider and staff decisions.">
      {typeof history === "string" ? (
        <ErrorNotice>{history}</ErrorNotice>
      ) : (
        <div className="space-y-6">
          <KycStateSummary verification={history.verification} />
          <div>
            <h3 className="mb-2 text-sm font-semibold text-slate-900">History</h3>
            <KycTimeline events={history.events} />
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

function SessionsSection({ detail: c, canChange }: { detail: Detail; canChange: boolean }) {
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
                      <RevokeSessionButton
                        clientId={c.profile.id}
                        familyId={s.familyId}
                        target={`the session started ${when(s.startedAt)}`}
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </Table>
          {canChange && active.length > 1 && (
            <RevokeSessionButton clientId={c.profile.id} target="every session of this client" />
          )}
        </>
      )}
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
