"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition, type ReactNode } from "react";
import { searchParamsOf, type ClientFilterKey } from "@/server/clients/filter-params";
import { Button, Field, inputClass } from "../../_components/ui";
import { sortLabels, stateLabels, verificationLabels } from "./labels";

type Filters = Partial<Record<ClientFilterKey, string>>;

/** Fields typed into rather than picked: they apply once typing pauses, not on every key or digit. */
const TYPED = ["q", "createdFrom", "createdTo"] as const;
type Typed = Partial<Record<(typeof TYPED)[number], string>>;
const TYPING_DELAY_MS = 300;

const typedOf = (filters: Filters): Typed => Object.fromEntries(TYPED.map((k) => [k, filters[k] ?? ""]));

/**
 * The filter form of the Clients page. The filters live in the address, so a
 * view can be shared, bookmarked and reloaded: each change replaces the
 * address and the server renders the matching rows (`children`), which stay
 * on screen, marked busy, until the new ones arrive.
 */
export function ClientFilters({
  filters,
  errors,
  partners,
  countries,
  children,
}: {
  /** The filters the server rendered `children` for. */
  filters: Filters;
  errors: Record<string, string>;
  partners: Array<{ id: number; name: string }>;
  countries: Array<{ code: string; name: string }>;
  children: ReactNode;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startNavigation] = useTransition();
  // What the form shows: the address's filters, or ahead of them while a change is on its way.
  // Every change builds on the latest one asked for, so a second filter chosen before the
  // first one's page arrives keeps the first.
  const [shown, setShown] = useState<Filters>(filters);
  const latest = useRef<Filters>(filters);
  const [typed, setTyped] = useState<Typed>(() => typedOf(filters));

  function show(next: Filters) {
    latest.current = next;
    setShown(next);
    const query = searchParamsOf(next).toString();
    startNavigation(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  }
  const update = (changes: Filters) => show({ ...latest.current, ...changes });

  // The address changed without this form (back, forward, a link): follow it.
  const served = searchParamsOf(filters).toString();
  useEffect(() => {
    if (navigating || served === searchParamsOf(latest.current).toString()) return;
    latest.current = filters;
    setShown(filters);
    setTyped(typedOf(filters));
    // `served` stands for `filters`, which is a new object on every render.
  }, [served, navigating]);

  // The search box and the dates update the address once typing pauses, not on every key.
  useEffect(() => {
    const changes: Typed = {};
    for (const key of TYPED) {
      const value = (typed[key] ?? "").trim();
      if (value !== (latest.current[key] ?? "")) changes[key] = value;
    }
    if (Object.keys(changes).length === 0) return;
    const timer = setTimeout(() => update(changes), TYPING_DELAY_MS);
    return () => clearTimeout(timer);
    // Only typing starts the delay.
  }, [typed.q, typed.createdFrom, typed.createdTo]);
  const type = (key: (typeof TYPED)[number], value: string) => setTyped((t) => ({ ...t, [key]: value }));

  const select = (key: ClientFilterKey, label: string, options: Array<{ value: string; label: string }>, anyLabel = "Any") => (
    <Field label={label} error={errors[key]}>
      {(p) => (
        <select {...p} value={shown[key] ?? ""} onChange={(e) => update({ [key]: e.target.value })} className={inputClass}>
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
  const anySet = Object.values(typed).some((v) => v) || Object.values(shown).some((v) => v);

  return (
    <>
      <form role="search" aria-label="Filter clients" onSubmit={(e) => e.preventDefault()} className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4">
        <div className="sm:col-span-2">
          <Field label="Search" hint="Start of the email, first name, full name or last name" error={errors.q}>
            {(p) => <input {...p} type="search" value={typed.q} onChange={(e) => type("q", e.target.value)} placeholder="jane@ or Jane Do" autoComplete="off" className={inputClass} />}
          </Field>
        </div>
        {select(
          "partnerId",
          "Partner",
          partners.map((p) => ({ value: String(p.id), label: `${p.name} (${p.id})` })),
          "All partners",
        )}
        {select("sort", "Sort by", Object.entries(sortLabels).map(([value, label]) => ({ value, label })), "")}
        {select("state", "State", Object.entries(stateLabels).map(([value, label]) => ({ value, label })))}
        {select("verificationStatus", "Verification status", Object.entries(verificationLabels).map(([value, label]) => ({ value, label })))}
        {select("verificationLevel", "Verification level", [0, 1, 2, 3, 4, 5].map((l) => ({ value: String(l), label: String(l) })))}
        {select("countryCode", "Country", countries.map((c) => ({ value: c.code, label: `${c.name} (${c.code})` })))}
        <Field label="Created from" error={errors.createdFrom} hint="UTC date">
          {(p) => <input {...p} type="date" value={typed.createdFrom} onChange={(e) => type("createdFrom", e.target.value)} className={inputClass} />}
        </Field>
        <Field label="Created to" error={errors.createdTo} hint="UTC date, inclusive">
          {(p) => <input {...p} type="date" value={typed.createdTo} onChange={(e) => type("createdTo", e.target.value)} className={inputClass} />}
        </Field>
        <div className="flex items-end">
          <Button variant="secondary" onClick={() => (setTyped(typedOf({})), show({}))} disabled={!anySet}>
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
