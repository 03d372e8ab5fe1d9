import type { ReactNode } from "react";
import type { Refusal } from "@/server/api/server-caller";
import { ErrorNotice, PageHeader } from "./ui";

/**
 * What the server components of the back-office lists share: reading their
 * filters from the address, and saying a refusal in place of the list.
 */

export type SearchParams = Record<string, string | string[] | undefined>;

/** The page's own filters in the address: only `keys`, trimmed, the empty ones left out. */
export function filtersOf<K extends string>(
  searchParams: SearchParams,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const raw = searchParams[key];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value) out[key] = value;
  }
  return out;
}

/** The filters as a query string, in the order of `keys`. */
export function queryOf<K extends string>(filters: Partial<Record<K, string>>, keys: readonly K[]): string {
  const params = new URLSearchParams();
  for (const key of keys) if (filters[key]) params.set(key, filters[key]);
  return params.toString();
}

/**
 * A "Load more" server action's arguments, which anyone can send over HTTP:
 * the page's query string and the cursor of the next page, or a refusal when
 * they are not text of a sensible size. The procedure checks the rest.
 */
export function loadMoreArguments<K extends string>(
  query: unknown,
  cursor: unknown,
  keys: readonly K[],
): { filters: Partial<Record<K, string>>; cursor: string } | Refusal {
  if (typeof query !== "string" || typeof cursor !== "string" || query.length > 2000 || cursor.length > 1000) {
    return {
      ok: false,
      kind: "invalid",
      message: "The request to load more was not valid; reload the page.",
      fieldErrors: {},
    };
  }
  return { filters: filtersOf(Object.fromEntries(new URLSearchParams(query)), keys), cursor };
}

/** A page's path with its query, where signing in again leads back to. */
export const pathWith = (path: string, query: string) => (query ? `${path}?${query}` : path);

/**
 * A whole number typed in the address as the number a procedure takes; anything
 * else as NaN, which the procedure's schema refuses with a message for the field.
 */
export const wholeNumber = (value: string | undefined) =>
  value === undefined ? undefined : /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;

/** A page that is not for the staff member's role: its title and why, in place of the page. */
export function RoleRefusal({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="max-w-3xl">
      <PageHeader title={title} />
      <ErrorNotice>{children}</ErrorNotice>
    </div>
  );
}

/** What a list shows when its procedure refused: invalid filters (the form marks the fields), an unavailable database, or another refusal. */
export function ListRefusal({ refusal }: { refusal: Refusal }) {
  const fields = Object.keys(refusal.fieldErrors).length > 0;
  return (
    <ErrorNotice>
      {refusal.kind === "invalid" && fields
        ? "Some filters are not valid; correct the highlighted fields."
        : refusal.message}
    </ErrorNotice>
  );
}
