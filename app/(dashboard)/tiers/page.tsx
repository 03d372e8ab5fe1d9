import type { Metadata } from "next";
import Link from "next/link";
import { loadPage } from "@/server/api/server-caller";
import { Badge, linkClass } from "../../_components/display";
import { filtersOf, RoleRefusal, type SearchParams } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { Th } from "../../_components/section";
import { EmptyState, ErrorNotice, PageHeader } from "../../_components/ui";
import { formatMoney } from "../../_components/vocabulary";
import { NewTierForm } from "./new-tier-form";
import { PartnerPicker } from "./partner-picker";
import { ArchiveControl, MoveButtons } from "./tier-actions";

export const metadata: Metadata = { title: "Subscription tiers" };

/**
 * Every role manages tiers: a KAM those of the partners they own (the
 * procedures keep to that). Pick a partner (kept in the address), then manage
 * its tiers; rendered on the server, with islands for the changes.
 */
export default async function TiersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { partnerId: asked } = filtersOf(await searchParams, ["partnerId"] as const);
  const path = asked ? `/tiers?partnerId=${encodeURIComponent(asked)}` : "/tiers";
  const partners = await loadPage(path, (api) => api.partner.options());
  if (!partners.ok) return <RoleRefusal title="Subscription tiers">{partners.message}</RoleRefusal>;
  const options = partners.data;
  // With a single partner there is nothing to choose.
  const chosen = asked ?? (options.length === 1 ? String(options[0]!.id) : undefined);
  const partner = options.find((p) => String(p.id) === chosen);
  const tiers = partner ? await loadPage(path, (api) => api.tier.list({ partnerId: partner.id })) : undefined;

  return (
    <div className="max-w-6xl space-y-6">
      <PageHeader
        title="Subscription tiers"
        description="What each partner sells to its clients: create, edit, reorder and archive tiers, and see who subscribes."
      />
      <Notifications />
      {options.length === 0 ? (
        <EmptyState title="No partners">Tiers belong to partners; you have none to manage yet.</EmptyState>
      ) : (
        <PartnerPicker partners={options.map((p) => ({ id: p.id, name: p.name }))} partnerId={chosen}>
          {chosen === undefined ? (
            <EmptyState title="Choose a partner">
              Its tiers are listed here, in the order its clients see them.
            </EmptyState>
          ) : !partner ? (
            <EmptyState title="No such partner">It may be a partner you do not manage.</EmptyState>
          ) : (
            <div key={partner.id} className="space-y-6">
              <section aria-labelledby="tiers-heading">
                <h2 id="tiers-heading" className="mb-3 text-lg font-semibold text-slate-900">
                  Tiers of {partner.name}
                </h2>
                {!tiers?.ok ? (
                  <ErrorNotice>{tiers?.message}</ErrorNotice>
                ) : tiers.data.length === 0 ? (
                  <EmptyState title="No tiers yet">
                    Create the partner&apos;s first tier with the form below.
                  </EmptyState>
                ) : (
                  <TierTable partnerName={partner.name} tiers={tiers.data} />
                )}
              </section>
              <NewTierForm partner={{ id: partner.id, name: partner.name, defaultCurrency: partner.defaultCurrency }} />
            </div>
          )}
        </PartnerPicker>
      )}
    </div>
  );
}

type TierRow = {
  id: number;
  name: string;
  level: number;
  amount: string;
  initialPaymentAmount: string;
  currency: string;
  liveSubscribers: number;
  status: "active" | "archived";
  mostPopular: boolean;
};

/** A partner's tiers in the order clients see them, with their moves and archiving. */
function TierTable({ partnerName, tiers }: { partnerName: string; tiers: TierRow[] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Tiers of {partnerName}, in the order clients see them</caption>
        <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <Th>Name</Th>
            <Th>Level</Th>
            <Th>Amount</Th>
            <Th>First payment</Th>
            <Th className="text-right">Live subscribers</Th>
            <Th>Status</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {tiers.map((t, index) => (
            <tr key={t.id} className="hover:bg-slate-50">
              <th scope="row" className="px-3 py-2 text-left font-medium">
                <Link href={`/tiers/${t.id}`} className={linkClass}>
                  {t.name}
                </Link>
                {t.mostPopular && (
                  <span className="ml-2">
                    <Badge tone="green">Most popular</Badge>
                  </span>
                )}
              </th>
              <td className="px-3 py-2 tabular-nums">{t.level}</td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(t.amount, t.currency)}</td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                {formatMoney(t.initialPaymentAmount, t.currency)}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{t.liveSubscribers}</td>
              <td className="px-3 py-2">
                {t.status === "active" ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Archived</Badge>}
              </td>
              <td className="px-3 py-2">
                <div className="flex flex-wrap gap-2">
                  <MoveButtons
                    tier={{ id: t.id, name: t.name }}
                    first={index === 0}
                    last={index === tiers.length - 1}
                  />
                  <ArchiveControl
                    tier={{ id: t.id, name: t.name, status: t.status, liveSubscribers: t.liveSubscribers }}
                  />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
