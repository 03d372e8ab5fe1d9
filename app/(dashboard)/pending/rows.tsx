import type { ProcedureOutputs } from "@/server/api/server-caller";
import Link from "next/link";
import { wholeNumber } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { formatDateTime, formatFromNow, pendingKindLabels, type PendingKind } from "../../_components/vocabulary";
import { PendingRowActions } from "./row-actions";

type PendingPage = ProcedureOutputs["pending"]["list"];

export const PENDING_FILTER_KEYS = ["partnerId", "kind", "includeExpired"] as const;
type PendingFilters = Partial<Record<(typeof PENDING_FILTER_KEYS)[number], string>>;

/** The address's filters as `pending.list` takes them; its schema checks them ("includeExpired=true" ticks the box). */
export function pendingListInput(filters: PendingFilters, cursor?: string) {
  const expired = filters.includeExpired;
  return {
    partnerId: wholeNumber(filters.partnerId),
    kind: filters.kind as PendingKind | undefined,
    includeExpired: (expired === undefined ? false : expired === "true" ? true : expired) as boolean,
    cursor,
    limit: 50,
  };
}

/** A page of pending confirmations as the table shows it, ages as of now; `canAct`: the staff member may resend and cancel. */
export function pendingRowsPage(page: PendingPage, canAct: boolean): RowsPage {
  const now = Date.now();
  const rows = page.items.map((row) => {
    const expired = row.expired || row.expiresAt.getTime() <= now;
    return (
      <tr key={`${row.kind}:${row.id}`} className={expired ? "bg-slate-50 text-slate-600" : "hover:bg-slate-50"}>
        <td className="whitespace-nowrap px-3 py-2">{pendingKindLabels[row.kind]}</td>
        <td className="px-3 py-2">
          {row.clientId ? (
            <Link
              href={`/clients/${row.clientId}`}
              className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
            >
              {row.email}
            </Link>
          ) : (
            <span className="font-medium">{row.email}</span>
          )}
          {row.alreadyClient && (
            <span className="ml-2 text-xs text-slate-600">(already a client: was sent an “account exists” email)</span>
          )}
        </td>
        <td className="px-3 py-2">
          {row.partner.name}
          {row.partner.sandbox && <span className="ml-1 text-xs text-slate-600">· sandbox</span>}
        </td>
        <td className="whitespace-nowrap px-3 py-2" title={formatDateTime(row.createdAt, { zone: true })}>
          {formatFromNow(row.createdAt, now)}
        </td>
        <td className="whitespace-nowrap px-3 py-2" title={formatDateTime(row.expiresAt, { zone: true })}>
          {expired ? (
            <span className="inline-flex rounded-full bg-rose-50 px-2 py-0.5 text-xs font-medium text-rose-800 ring-1 ring-rose-200">
              Expired
            </span>
          ) : (
            formatFromNow(row.expiresAt, now)
          )}
        </td>
        <td className="px-3 py-2 tabular-nums">{row.attempts}</td>
        <td className="px-3 py-2 tabular-nums">{row.resendCount}</td>
        <td className="px-3 py-2 font-mono">
          {row.sandboxCode ?? <span className="font-sans text-slate-500">—</span>}
        </td>
        {canAct && (
          <td className="whitespace-nowrap px-3 py-2">
            <PendingRowActions
              target={{ kind: row.kind, id: row.id, email: row.email }}
              canResend={!(row.kind === "registration" && expired)}
            />
          </td>
        )}
      </tr>
    );
  });
  return { rows, count: page.items.length, nextCursor: page.nextCursor ?? null };
}
