"use client";

import type { ReactNode } from "react";
import { PartnerFilter, type PartnerOption } from "../../_components/partner-filter";
import { Field, inputClass } from "../../_components/ui";
import { useUrlFilters, type Filters } from "../../_components/url-filters";

type K = "partnerId" | "days";
const KEYS: readonly K[] = ["partnerId", "days"];

/** Partner and period, kept in the address so a view can be shared and reloaded; the server renders the funnel. */
export function OverviewFilters({
  partners,
  periods,
  filters,
  defaultDays,
  children,
}: {
  partners: PartnerOption[];
  periods: readonly number[];
  filters: Filters<K>;
  defaultDays: string;
  children: ReactNode;
}) {
  const { shown, update, navigating } = useUrlFilters({ keys: KEYS, filters, defaults: { days: defaultDays } });
  return (
    <>
      <form
        aria-label="Choose partner and period"
        onSubmit={(e) => e.preventDefault()}
        className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-3"
      >
        <PartnerFilter
          partners={partners}
          value={shown.partnerId ?? ""}
          onChange={(partnerId) => update({ partnerId })}
        />
        <Field label="Period" hint="Whole days in UTC, today included">
          {(p) => (
            <select
              {...p}
              value={shown.days ?? defaultDays}
              onChange={(e) => update({ days: e.target.value })}
              className={inputClass}
            >
              {periods.map((days) => (
                <option key={days} value={days}>
                  Last {days} days
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <div aria-busy={navigating} className={navigating ? "opacity-60 transition-opacity" : undefined}>
        {children}
      </div>
    </>
  );
}
