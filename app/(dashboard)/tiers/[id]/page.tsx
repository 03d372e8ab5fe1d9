import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { loadPage } from "@/server/api/server-caller";
import { Badge, linkClass, SubscriptionStatusBadge } from "../../../_components/display";
import { RoleRefusal } from "../../../_components/list-page";
import { Notifications } from "../../../_components/notifications";
import { Section, Table } from "../../../_components/section";
import { EmptyState, PageHeader } from "../../../_components/ui";
import { formatDateTime, formatMoney } from "../../../_components/vocabulary";
import { ArchiveControl } from "../tier-actions";
import { EditTierForm } from "./edit-tier-form";

export const metadata: Metadata = { title: "Subscription tier" };

/** One tier: its details, the edit form and its subscribers, rendered on the server. */
export default async function TierPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Anything but a tier id is a tier that does not exist.
  if (!/^[1-9]\d{0,9}$/.test(id) || Number(id) > 2_147_483_647) notFound();
  const detail = await loadPage(`/tiers/${id}`, (api) => api.tier.get({ tierId: Number(id) }));
  if (!detail.ok) return <RoleRefusal title="Subscription tier">{detail.message}</RoleRefusal>;
  const { tier, subscribers } = detail.data;
  return (
    <div className="max-w-5xl space-y-8">
      <Notifications />
      <div>
        <Link href={`/tiers?partnerId=${tier.partnerId}`} className={`mb-2 inline-block text-sm ${linkClass}`}>
          ← Subscription tiers
        </Link>
        <PageHeader
          title={tier.name}
          description={`A tier of ${tier.partnerName} (partner ${tier.partnerId})`}
          actions={
            <ArchiveControl
              tier={{ id: tier.id, name: tier.name, status: tier.status, liveSubscribers: tier.liveSubscribers }}
            />
          }
        />
      </div>
      <Section id="details" title="Details">
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <Term label="Status">
            {tier.status === "active" ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Archived</Badge>}
          </Term>
          <Term label="Amount">{formatMoney(tier.amount, tier.currency)} every 30 days</Term>
          <Term label="First payment">{formatMoney(tier.initialPaymentAmount, tier.currency)}</Term>
          <Term label="Level">{tier.level}</Term>
          <Term label="Most popular">{tier.mostPopular ? "Yes" : "No"}</Term>
          <Term label="Trial available">{tier.trialAvailable ? "Yes" : "No"}</Term>
          <Term label="Live subscribers">{tier.liveSubscribers}</Term>
          <Term label="Created">{formatDateTime(tier.createdAt, { zone: true })}</Term>
          <Term label="Last updated">{formatDateTime(tier.updatedAt, { zone: true })}</Term>
          <Term label="Description" wide>
            {tier.description || "—"}
          </Term>
          <Term label="Features" wide>
            {tier.features.length === 0 ? (
              "—"
            ) : (
              <ul className="list-inside list-disc">
                {tier.features.map((f, i) => (
                  <li key={i}>{f}</li>
                ))}
              </ul>
            )}
          </Term>
        </dl>
      </Section>
      <Section
        id="edit"
        title="Edit tier"
        description={`The currency (${tier.currency}) is fixed. Open invoices keep the amounts they were issued with; new invoices use the new amounts.`}
      >
        <EditTierForm key={tier.updatedAt.toISOString()} tier={tier} />
      </Section>
      <Section
        id="subscribers"
        title="Subscribers"
        description="Clients who subscribe or subscribed to this tier, newest first (latest 200)."
      >
        {subscribers.length === 0 ? (
          <EmptyState title="No subscribers yet" />
        ) : (
          <Table caption="Subscribers" headers={["Client", "Status", "Period end (UTC)", "Started (UTC)"]}>
            {subscribers.map((s) => (
              <tr key={s.subscriptionId}>
                <td className="break-all px-3 py-2">
                  <Link href={`/clients/${s.clientId}`} className={`font-medium ${linkClass}`}>
                    {s.email}
                  </Link>
                  {(s.firstName || s.lastName) && (
                    <span className="block text-xs text-slate-600">
                      {[s.firstName, s.lastName].filter(Boolean).join(" ")}
                    </span>
                  )}
                </td>
                <td className="px-3 py-2">
                  <SubscriptionStatusBadge status={s.status} />
                </td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.currentPeriodEnd)}</td>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.createdAt)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
    </div>
  );
}

function Term({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "sm:col-span-2 lg:col-span-3" : undefined}>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}
