/*
 * The client list's filters as query-string text, kept free of zod so the
 * page's filter form can use it without shipping the schemas to the browser.
 */

/** The filter names, in the order they appear in URLs. */
const CLIENT_FILTER_KEYS = [
  "q",
  "partnerId",
  "state",
  "verificationStatus",
  "verificationLevel",
  "countryCode",
  "createdFrom",
  "createdTo",
  "sort",
] as const;
export type ClientFilterKey = (typeof CLIENT_FILTER_KEYS)[number];

/** Query-string parameters to raw filter values: empty and unknown parameters are dropped. */
export function filterParamsOf(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of CLIENT_FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) out[key] = value;
  }
  return out;
}

/** Filters to query-string parameters (only the ones set; the default sort is left out). */
export function searchParamsOf(
  filters: Partial<Record<ClientFilterKey, string | number | undefined>>,
): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of CLIENT_FILTER_KEYS) {
    const value = filters[key];
    if (value === undefined || value === "" || (key === "sort" && value === "created_desc")) continue;
    params.set(key, String(value));
  }
  return params;
}
