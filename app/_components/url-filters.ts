"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useEffectEvent, useRef, useState, useTransition } from "react";

/** A list's filters as the address holds them: text, only the ones set. */
export type Filters<K extends string> = Partial<Record<K, string>>;

const TYPING_DELAY_MS = 300;

/**
 * The address the last filter change on this page asked for, until it
 * arrives. The address itself changes only when the new page has rendered, so
 * a second form on the same page (the billing lists) builds on this one, and
 * neither change undoes the other. Forgotten when the staff member goes back
 * or forward, or the address changes some other way.
 */
let requested: { pathname: string; search: string } | undefined;
if (typeof window !== "undefined") window.addEventListener("popstate", () => (requested = undefined));

function currentSearch(pathname: string): string {
  const here = window.location.search.replace(/^\?/, "");
  if (requested && (requested.pathname !== pathname || requested.search === here)) requested = undefined;
  return requested ? requested.search : here;
}

/**
 * The filters of a back-office list live in the address, so a view can be
 * shared, bookmarked and reloaded. Each change replaces the address inside a
 * transition and the server renders the matching rows; the old ones stay on
 * screen, marked busy (`navigating`), until the new ones arrive. Every change
 * builds on the latest one asked for, so a second filter chosen before the
 * first one's page arrives keeps the first. Fields typed into rather than
 * picked (`typed`) apply once typing pauses, not on every key.
 *
 * `keys` are this form's parameters, in the order they appear in the address;
 * other parameters (another list's on the same page) are left as they are.
 * A value equal to its `defaults` entry is left out of the address.
 */
export function useUrlFilters<K extends string>(o: {
  keys: readonly K[];
  filters: Filters<K>;
  typed?: readonly K[];
  defaults?: Filters<K>;
}) {
  const { keys, filters, typed: typedKeys = [] } = o;
  const defaults: Filters<K> = o.defaults ?? {};
  const router = useRouter();
  const pathname = usePathname();
  const [navigating, startNavigation] = useTransition();
  // What the form shows: the address's filters, or ahead of them while a change is on its way.
  const [shown, setShown] = useState<Filters<K>>(filters);
  const latest = useRef<Filters<K>>(filters);
  const typedOf = (f: Filters<K>): Filters<K> =>
    Object.fromEntries(typedKeys.map((k) => [k, f[k] ?? ""])) as Filters<K>;
  const [typed, setTyped] = useState<Filters<K>>(() => typedOf(filters));

  const ownQuery = (f: Filters<K>) => keys.map((k) => (f[k] && f[k] !== defaults[k] ? `${k}=${f[k]}` : "")).join("&");

  function show(next: Filters<K>) {
    latest.current = next;
    setShown(next);
    const params = new URLSearchParams(currentSearch(pathname));
    for (const k of keys) params.delete(k);
    for (const k of keys) {
      const value = next[k];
      if (value && value !== defaults[k]) params.set(k, value);
    }
    const query = params.toString();
    requested = { pathname, search: query };
    startNavigation(() => router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false }));
  }
  const commit = (changes: Filters<K>) => show({ ...latest.current, ...changes });
  /** A change made by picking (a select, a button): typed fields it sets show the new value too. */
  function update(changes: Filters<K>) {
    const typedChanges = typedKeys.filter((k) => k in changes);
    if (typedChanges.length > 0)
      setTyped((t) => ({ ...t, ...Object.fromEntries(typedChanges.map((k) => [k, changes[k] ?? ""])) }));
    commit(changes);
  }

  // The address changed without this form (back, forward, a link): follow it.
  const served = ownQuery(filters);
  const follow = useEffectEvent(() => {
    if (navigating || served === ownQuery(latest.current)) return;
    requested = undefined;
    latest.current = filters;
    setShown(filters);
    setTyped(typedOf(filters));
  });
  useEffect(() => follow(), [served, navigating]);

  // Typed fields reach the address once typing pauses.
  const commitTyped = useEffectEvent(() => {
    const changes: Filters<K> = {};
    for (const k of typedKeys) {
      const value = (typed[k] ?? "").trim();
      if (value !== (latest.current[k] ?? "")) changes[k] = value;
    }
    if (Object.keys(changes).length > 0) commit(changes);
  });
  useEffect(() => {
    const timer = setTimeout(commitTyped, TYPING_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  return {
    /** The filters the form shows (typed fields: see `typed`). */
    shown,
    /** What is in the typed fields, committed or not. */
    typed,
    type: (key: K, value: string) => setTyped((t) => ({ ...t, [key]: value })),
    update,
    reset: () => {
      setTyped(typedOf({}));
      show({});
    },
    anySet: Object.values(typed).some(Boolean) || Object.values(shown).some(Boolean),
    navigating,
  };
}
