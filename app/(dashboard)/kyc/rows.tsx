import type { ProcedureOutputs } from "@/server/api/server-caller";
import Link from "next/link";
import { wholeNumber } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { Muted } from "../../_components/section";
import {
  formatAge,
  formatDateTime,
  kycProviderLabels,
  kycQueueLabels,
  type KycQueue,
} from "../../_components/vocabulary";

type QueuePage = ProcedureOutputs["kyc"]["queue"];

export const KYC_FILTER_KEYS = ["queue", "partnerId"] as const;
type KycFilters = Partial<Record<(typeof KYC_FILTER_KEYS)[number], string>>;

/** The address's filters as `kyc.queue` takes them; its schema checks them. */
export function kycQueueInput(filters: KycFilters, cursor?: string) {
  return { queue: filters.queue as KycQueue | undefined, partnerId: wholeNumber(filters.partnerId), cursor, limit: 50 };
}

/** A page of the review queue as the table shows it, the waiting times as of now. */
export function kycRowsPage(page: QueuePage): RowsPage {
  const now = Date.now();
  const rows = page.items.map((row) => (
    <tr key={row.clientId} className="hover:bg-slate-50">
      <td className="px-3 py-2">
        <Link
          href={`/kyc/${row.clientId}`}
          className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
        >
          {row.email}
        </Link>
      </td>
      <td className="px-3 py-2">{[row.firstName, row.lastName].filter(Boolean).join(" ") || "—"}</td>
      <td className="px-3 py-2">
        {row.partnerName} ({row.partnerId})
      </td>
      <td className="whitespace-nowrap px-3 py-2">{kycQueueLabels[row.queue]}</td>
      <td
        className="whitespace-nowrap px-3 py-2 tabular-nums"
        title={`Since ${formatDateTime(row.waitingSince, { zone: true })}`}
      >
        {formatAge(row.waitingSince, now)}
      </td>
      <td className="px-3 py-2">{kycProviderLabels[row.provider]}</td>
      <td className="px-3 py-2 font-mono text-xs">{row.rejectLabels.join(", ") || <Muted />}</td>
    </tr>
  ));
  return { rows, count: page.items.length, nextCursor: page.nextCursor ?? null };
}
