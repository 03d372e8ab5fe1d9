import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { DEFAULT_FUNNEL_DAYS, FUNNEL_PERIODS, funnelInputSchema } from "@/server/overview/schemas";
import { AutoRefresh } from "../../_components/auto-refresh";
import { filtersOf, pathWith, queryOf, type SearchParams } from "../../_components/list-page";
import { ErrorNotice, PageHeader } from "../../_components/ui";
import { FunnelView } from "./funnel-view";
import { OverviewFilters } from "./overview-filters";

export const metadata: Metadata = { title: "Overview" };

const KEYS = ["partnerId", "days"] as const;

/**
 * The onboarding funnel, rendered on the server through `overview.funnel`
 * for the partner and period in the address (anything unparsable there falls
 * back to the defaults), and again every minute while open: today is counted
 * live.
 */
export default async function OverviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = filtersOf(await searchParams, KEYS);
  const parsed = funnelInputSchema.safeParse({
    ...(filters.partnerId ? { partnerId: Number(filters.partnerId) } : {}),
    ...(filters.days ? { days: Number(filters.days) } : {}),
  });
  const input = parsed.success ? parsed.data : { days: DEFAULT_FUNNEL_DAYS };
  const path = pathWith("/overview", queryOf(filters, KEYS));
  const [partners, funnel] = await Promise.all([
    loadPage(path, (api) => api.partner.options()),
    loadPage(path, (api) => api.overview.funnel(input)),
  ]);
  const partnerName =
    input.partnerId === undefined || !partners.ok
      ? undefined
      : partners.data.find((p) => p.id === input.partnerId)?.name;
  const scopeLabel = input.partnerId === undefined ? "all partners" : (partnerName ?? `partner ${input.partnerId}`);

  return (
    <div className="max-w-6xl">
      <PageHeader
        title="Overview"
        description="How far the registrations started in a period have got: email confirmed, identity verified (KYC), subscribed."
      />
      <AutoRefresh seconds={60} />
      <OverviewFilters
        partners={partners.ok ? partners.data.map((p) => ({ id: p.id, name: p.name })) : []}
        periods={FUNNEL_PERIODS}
        filters={{
          ...(input.partnerId !== undefined ? { partnerId: String(input.partnerId) } : {}),
          days: String(input.days),
        }}
        defaultDays={String(DEFAULT_FUNNEL_DAYS)}
      >
        {funnel.ok ? (
          <FunnelView funnel={funnel.data} scopeLabel={scopeLabel} />
        ) : (
          <ErrorNotice>{funnel.message}</ErrorNotice>
        )}
      </OverviewFilters>
    </div>
  );
}
