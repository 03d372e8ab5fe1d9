import type { ProcedureOutputs } from "@/server/api/server-caller";
import Link from "next/link";
import type { OutboxViewStatus } from "@/server/mail/schemas";
import type { RowsPage } from "../../_components/paged-table";
import { Muted } from "../../_components/section";
import { formatDateTime } from "../../_components/vocabulary";
import { canRetry, StatusBadge } from "./parts";
import { RetryButton } from "./retry-button";

type OutboxPage = ProcedureOutputs["outbox"]["list"];

export const OUTBOX_FILTER_KEYS = ["status", "to"] as const;
type OutboxFilters = Partial<Record<(typeof OUTBOX_FILTER_KEYS)[number], string>>;

/** The address's filters as `outbox.list` takes them; its schema checks them. */
export function outboxListInput(filters: OutboxFilters, cursor?: string) {
  return { status: filters.status as OutboxViewStatus | undefined, to: filters.to, cursor, limit: 50 };
}

const when = (d: Date | null | undefined) => formatDateTime(d, { seconds: true });

/** A page of emails as the table shows it. */
export function outboxRowsPage(page: OutboxPage): RowsPage {
  const rows = page.items.map((m) => {
    const waiting = m.status === "queued" || m.status === "failing";
    return (
      <tr key={m.id} className="hover:bg-slate-50">
        <td className="px-3 py-2">
          <Link
            href={`/outbox/${m.id}`}
            className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
          >
            {m.subject}
          </Link>
          <span className="block font-mono text-xs text-slate-600">{m.template}</span>
          <span className="block text-xs text-slate-600">Queued {when(m.createdAt)}</span>
        </td>
        <td className="break-all px-3 py-2">{m.to}</td>
        <td className="px-3 py-2">
          {m.partnerId === null ? <Muted /> : `${m.partnerName ?? "Partner"} (${m.partnerId})`}
        </td>
        <td className="px-3 py-2">
          <StatusBadge status={m.status} />
        </td>
        <td className="px-3 py-2 tabular-nums">{m.attempts}</td>
        <td className="max-w-xs break-words px-3 py-2 text-xs text-slate-700">{m.lastError ?? <Muted />}</td>
        <td className="whitespace-nowrap px-3 py-2 tabular-nums">{waiting ? when(m.nextAttemptAt) : <Muted />}</td>
        <td className="whitespace-nowrap px-3 py-2 tabular-nums">{m.sentAt ? when(m.sentAt) : <Muted />}</td>
        <td className="px-3 py-2">
          {canRetry(m.status) && <RetryButton id={m.id} label={`Retry the email to ${m.to}`} />}
        </td>
      </tr>
    );
  });
  return { rows, count: page.items.length, nextCursor: page.nextCursor ?? null };
}
