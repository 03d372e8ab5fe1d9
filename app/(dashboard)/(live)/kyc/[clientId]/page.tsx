"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { httpStatusOf, messageOf, useTRPC } from "../../../../_components/trpc";
import { Section } from "../../../../_components/section";
import { EmptyState, ErrorNotice, PageHeader, Spinner } from "../../../../_components/ui";
import { KycStateSummary, KycTimeline } from "../kyc-timeline";
import { DecisionForm } from "./decision-form";
import { verificationLabels } from "../../../../_components/vocabulary";

function BackLink() {
  return (
    <Link
      href="/kyc"
      className="mb-2 inline-block text-sm text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
    >
      ← KYC review
    </Link>
  );
}

export default function KycDecisionPage() {
  const { clientId } = useParams<{ clientId: string }>();
  const trpc = useTRPC();
  const client = useQuery(trpc.client.get.queryOptions({ id: clientId }));
  const history = useQuery(trpc.kyc.get.queryOptions({ id: clientId }));
  const me = useQuery(trpc.account.me.queryOptions());
  const canDecide = me.data !== undefined && me.data.role !== "kam";

  if (client.isPending || history.isPending) return <Spinner label="Loading the verification" />;
  const error = client.error ?? history.error;
  if (error || !client.data || !history.data) {
    const notFound = [400, 404].includes(httpStatusOf(error) ?? 0);
    return (
      <div>
        <BackLink />
        {notFound ? (
          <EmptyState title="No such client">It may belong to a partner you do not manage.</EmptyState>
        ) : (
          <ErrorNotice>{messageOf(error)}</ErrorNotice>
        )}
      </div>
    );
  }
  const c = client.data;
  const h = history.data;
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

      {canDecide ? (
        <Section
          id="decide"
          title="Decide"
          description="A decision updates the client exactly as the provider's verdict would, and is recorded in the audit log."
        >
          <DecisionForm clientId={c.profile.id} email={c.profile.email} />
        </Section>
      ) : (
        me.data && (
          <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-700">
            Read-only: operations staff and admins decide verifications.
          </p>
        )
      )}

      <Section id="kyc-history" title="History" description="Provider events and staff decisions, newest first.">
        <KycTimeline events={h.events} />
      </Section>
    </div>
  );
}
