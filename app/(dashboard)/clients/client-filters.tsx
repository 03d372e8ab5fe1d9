"use client";

import type { ReactNode } from "react";
import type { ClientFilterKey } from "@/server/clients/filter-params";
import { Button, Field, inputClass } from "../../_components/ui";
import { useUrlFilters } from "../../_components/url-filters";

type Filters = Partial<Record<ClientFilterKey, string>>;

/** The filters' parameters, in the order they appear in the address (as the CSV export link writes them). */
const KEYS: readonly ClientFilterKey[] = [
  "q",
  "partnerId",
  "state",
  "verificationStatus",
  "verificationLevel",
  "countryCode",
  "createdFrom",
  "createdTo",
  "sort",
];

/**
 * The filter form of the Clients page. The filters live in the address, so a
 * view can be shared, bookmarked and reloaded: each change replaces the
 * address and the server renders the matching rows (`children`), which stay
 * on screen, marked busy, until the new ones arrive. The search box and the
 * dates apply once typing pauses, not on every key or digit.
 */
export function ClientFilters({
  filters,
  errors,
  partners,
  countries,
  choices,
  children,
}: {
  /** The filters the server rendered `children` for. */
  filters: Filters;
  errors: Record<string, string>;
  partners: Array<{ id: number; name: string }>;
  countries: Array<{ code: string; name: string }>;
  /** The options of the pickers, in words (the page sends them; the browser loads no label tables). */
  choices: Record<"sort" | "state" | "verificationStatus", Array<{ value: string; label: string }>>;
  children: ReactNode;
}) {
  const { shown, typed, type, update, reset, anySet, navigating } = useUrlFilters<ClientFilterKey>({
    keys: KEYS,
    filters,
    typed: ["q", "createdFrom", "createdTo"],
    defaults: { sort: "created_desc" },
  });

  const select = (
    key: ClientFilterKey,
    label: string,
    options: Array<{ value: string; label: string }>,
    anyLabel = "Any",
  ) => (
    <Field label={label} error={errors[key]}>
      {(p) => (
        <select
          {...p}
          value={shown[key] ?? ""}
          onChange={(e) => update({ [key]: e.target.value })}
          className={inputClass}
        >
          {anyLabel && <option value="">{anyLabel}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <>
      <form
        role="search"
        aria-label="Filter clients"
        onSubmit={(e) => e.preventDefault()}
        className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4"
      >
        <div className="sm:col-span-2">
          <Field label="Search" hint="Start of the email, first name, full name or last name" error={errors.q}>
            {(p) => (
              <input
                {...p}
                type="search"
                value={typed.q ?? ""}
                onChange={(e) => type("q", e.target.value)}
                placeholder="jane@ or Jane Do"
                autoComplete="off"
                className={inputClass}
              />
            )}
          </Field>
        </div>
        {select(
          "partnerId",
          "Partner",
          partners.map((p) => ({ value: String(p.id), label: `${p.name} (${p.id})` })),
          "All partners",
        )}
        {select("sort", "Sort by", choices.sort, "")}
        {select("state", "State", choices.state)}
        {select("verificationStatus", "Verification status", choices.verificationStatus)}
        {select(
          "verificationLevel",
          "Verification level",
          [0, 1, 2, 3, 4, 5].map((l) => ({ value: String(l), label: String(l) })),
        )}
        {select(
          "countryCode",
          "Country",
          countries.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` })),
        )}
        <Field label="Created from" error={errors.createdFrom} hint="UTC date">
          {(p) => (
            <input
              {...p}
              type="date"
              value={typed.createdFrom ?? ""}
              onChange={(e) => type("createdFrom", e.target.value)}
              className={inputClass}
            />
          )}
        </Field>
        <Field label="Created to" error={errors.createdTo} hint="UTC date, inclusive">
          {(p) => (
            <input
              {...p}
              type="date"
              value={typed.createdTo ?? ""}
              onChange={(e) => type("createdTo", e.target.value)}
              className={inputClass}
            />
          )}
        </Field>
        <div className="flex items-end">
          <Button variant="secondary" onClick={reset} disabled={!anySet}>
            Clear filters
          </Button>
        </div>
      </form>
      <div aria-busy={navigating} className={navigating ? "opacity-60 transition-opacity" : undefined}>
        {children}
      </div>
    </>
  );
}
