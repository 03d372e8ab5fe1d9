"use client";

import type { ReactNode } from "react";
import { PartnerFilter, type PartnerOption } from "../../_components/partner-filter";
import { Field, inputClass } from "../../_components/ui";
import { useUrlFilters, type Filters } from "../../_components/url-filters";
import { optionsOf, pendingKindLabels } from "../../_components/vocabulary";

type K = "partnerId" | "kind" | "includeExpired";

/** Pending confirmations' filters, kept in the address; the server renders the matching rows (`children`). */
export function PendingFiltersForm({
  keys,
  filters,
  errors,
  partners,
  children,
}: {
  keys: readonly K[];
  filters: Filters<K>;
  errors: Record<string, string>;
  partners: PartnerOption[];
  children: ReactNode;
}) {
  const { shown, update, navigating } = useUrlFilters({ keys, filters });
  return (
    <>
      <form
        aria-label="Filter pending confirmations"
        onSubmit={(e) => e.preventDefault()}
        className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3"
      >
        <PartnerFilter
          partners={partners}
          value={shown.partnerId ?? ""}
          onChange={(partnerId) => update({ partnerId })}
          error={errors.partnerId}
        />
        <Field label="Kind" error={errors.kind}>
          {(p) => (
            <select
              {...p}
              value={shown.kind ?? ""}
              onChange={(e) => update({ kind: e.target.value })}
              className={inputClass}
            >
              <option value="">Both kinds</option>
              {optionsOf(pendingKindLabels).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="flex items-end gap-2 pb-2">
          <input
            id="include-expired"
            type="checkbox"
            checked={shown.includeExpired === "true"}
            onChange={(e) => update({ includeExpired: e.target.checked ? "true" : "" })}
            className="size-4 rounded border-slate-300"
          />
          <label htmlFor="include-expired" className="text-sm font-medium text-slate-800">
            Show expired
          </label>
        </div>
      </form>
      <div aria-busy={navigating} className={navigating ? "opacity-60 transition-opacity" : undefined}>
        {children}
      </div>
    </>
  );
}
