"use client";

import type { ReactNode } from "react";
import { Field, inputClass } from "../../_components/ui";
import { useUrlFilters, type Filters } from "../../_components/url-filters";
import { optionsOf, outboxStatusLabels } from "../../_components/vocabulary";

type K = "status" | "to";

/** The Outbox's filters, kept in the address; the recipient applies once typing pauses. */
export function OutboxFiltersForm({
  keys,
  filters,
  errors,
  children,
}: {
  keys: readonly K[];
  filters: Filters<K>;
  errors: Record<string, string>;
  children: ReactNode;
}) {
  const { shown, typed, type, update, navigating } = useUrlFilters({ keys, filters, typed: ["to"] });
  return (
    <>
      <form
        role="search"
        aria-label="Filter emails"
        onSubmit={(e) => e.preventDefault()}
        className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-[14rem_1fr]"
      >
        <Field label="State" error={errors.status}>
          {(p) => (
            <select
              {...p}
              value={shown.status ?? ""}
              onChange={(e) => update({ status: e.target.value })}
              className={inputClass}
            >
              <option value="">All states</option>
              {optionsOf(outboxStatusLabels).map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Recipient" hint="The whole email address" error={errors.to}>
          {(p) => (
            <input
              {...p}
              type="search"
              value={typed.to ?? ""}
              onChange={(e) => type("to", e.target.value)}
              autoComplete="off"
              spellCheck={false}
              className={inputClass}
            />
          )}
        </Field>
      </form>
      <div aria-busy={navigating} className={navigating ? "opacity-60 transition-opacity" : undefined}>
        {children}
      </div>
    </>
  );
}
