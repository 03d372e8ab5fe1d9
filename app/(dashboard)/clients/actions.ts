"use server";

import { isRefusal, refusalRedirect, requireStaff } from "@/server/auth/guard";
import { getStaffSession } from "@/server/auth/session";
import { clientRows, type ClientRowsResult } from "@/server/clients/list-view";

export type MoreClientsResult = ClientRowsResult | { kind: "signed-out"; message: string; action: { label: string; href: string } };

/** The Clients page's "Load more": the page after `cursor` for the filters in `query` (the page's own query string). */
export async function loadMoreClients(query: unknown, cursor: unknown): Promise<MoreClientsResult> {
  // Called over HTTP like any endpoint: the arguments are whatever the caller sent.
  if (typeof query !== "string" || typeof cursor !== "string" || query.length > 2000) {
    return { kind: "invalid", message: "The request to load more clients was not valid; reload the page", fields: {} };
  }
  const staff = requireStaff(await getStaffSession(), { path: `/clients${query ? `?${query}` : ""}` });
  if (isRefusal(staff)) {
    const href = refusalRedirect(staff);
    return staff.kind === "signed-out"
      ? { kind: "signed-out", message: "Your session has ended; sign in again to see more clients.", action: { label: "Sign in", href } }
      : { kind: "signed-out", message: "Set up two-factor authentication before using the back office.", action: { label: "Set it up", href } };
  }
  return clientRows({ staff, params: new URLSearchParams(query), cursor });
}
