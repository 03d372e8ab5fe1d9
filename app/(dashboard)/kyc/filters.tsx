"use client";

import type { ReactNode } from "react";
import { PartnerFilter, type PartnerOption } from "../../_components/partner-filter";
import { Field, inputClass } from "../../_components/ui";
import { useUrlFilters, type Filters } from "../../_components/url-filters";
import { kycQueueLabels, optionsOf } from "../../_components/vocabulary";

type K = "queue" | "partnerId";

/** The review queue's filters, kept in the address; the server renders the matching queue (`children`). */
export function KycFiltersForm({
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
        aria-label="Filter the KYC review queue"
        onSubmit={(e) => e.preventDefault()}
        className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2"
      >
        <Field label="Queue" error={errors.queue}>
          {(p) => (
            <select
              {...p}
              value={shown.queue ?? ""}
              onChange={(e) => update({ queue: e.target.value })}
              className={inputClass}
            >
              <option value="">All queues</option>
              {optionsOf(kycQueueLabels).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <PartnerFilter
          partners={partners}
          value={shown.partnerId ?? ""}
          onChange={(partnerId) => update({ partnerId })}
          error={errors.partnerId}
        />
      </form>
      <div aria-busy={navigating} className={navigating ? "opacity-60 transition-opacity" : undefined}>
        {children}
      </div>
    </>
  );
}
