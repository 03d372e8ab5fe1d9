import type { Metadata } from "next";
import Link from "next/link";
import { loadPage } from "@/server/api/server-caller";
import { Notifications } from "../../../_components/notifications";
import { Section } from "../../../_components/section";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { verificationLabels } from "../../../_components/vocabulary";
import { KycStateSummary, KycTimeline } from "../kyc-timeline";
import { BackLink } from "./back-link";
import { DecisionForm } from "./decision-form";
import ClientNotFound from "./not-found";

export const metadata: Metadata = { title: "KYC decision" };

/**
 * A client's verification and its history, read on the server through
 * `client.get` and `kyc.get`, with the decision form for operations staff and
 * admins. A client the staff member may not see is the "No such client" page.
 */
export default async function KycDecisionPage({ params }: { params: Promise<{ clientId: string }> }) {
  const { clientId } = await params;
  const page = await loadPage(`/kyc/${encodeURIComponent(clientId)}`, (api) =>
    Promise.all([api.client.get({ id: clientId }), api.kyc.get({ id: clientId }), api.account.me()]),
  );
  if (!page.ok) {
    // Not a client id at all: no such client either.
    if (page.kind === "invalid") return <ClientNotFound />;
    return (
      <div>
        <BackLink />
        <ErrorNotice>{page.message}</ErrorNotice>
      </div>
    );
  }
  const [c, h, me] = page.data;
  const name = [c.profile.firstName, c.profile.lastName].filter(Boolean).join(" ");
  return (
    <div className="max-w-5xl space-y-8">
      <div>
        <BackLink />
        <PageHeader
          title={`KYC: ${c.profile.email}`}
          description={`${name || "No name"} · ${c.partner.name} (partner ${c.partner.id})`}
        />
      </div>
      <Notifications />

      <Section id="client" title="Client">
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Verification status</dt>
            <dd className="mt-0.5 text-sm text-slate-900">{verificationLabels[c.verification.status]}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Verification level</dt>
            <dd className="mt-0.5 text-sm text-slate-900">{c.verification.level}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Country</dt>
            <dd className="mt-0.5 text-sm text-slate-900">{c.profile.countryCode ?? "—"}</dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Birth date</dt>
            <dd className="mt-0.5 text-sm text-slate-900">{c.profile.birthDate ?? "—"}</dd>
          </div>
        </dl>
        <Link
          href={`/clients/${c.profile.id}`}
          className="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
        >
          Open the client page
        </Link>
      </Section>

      <Section id="kyc-state" title="Current state">
        <KycStateSummary verification={h.verification} />
      </Section>

      {me.role !== "kam" ? (
        <Section
          id="decide"
          title="Decide"
          description="A decision updates the client exactly as the provider's verdict would, and is recorded in the audit log."
        >
          <DecisionForm clientId={c.profile.id} email={c.profile.email} />
        </Section>
      ) : (
        <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-700">
          Read-only: operations staff and admins decide verifications.
        </p>
      )}

      <Section id="kyc-history" title="History" description="Provider events and staff decisions, newest first.">
        <KycTimeline events={h.events} />
      </Section>
    </div>
  );
}
