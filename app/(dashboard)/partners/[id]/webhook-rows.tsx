import type { ProcedureOutputs } from "@/server/api/server-caller";
import { Badge } from "../../../_components/display";
import type { RowsPage } from "../../../_components/paged-table";
import { Muted } from "../../../_components/section";
import { formatDateTime } from "../../../_components/vocabulary";
import { ResendButton } from "./webhook-endpoint-actions";

type DeliveryPage = ProcedureOutputs["webhook"]["deliveries"];
type Delivery = DeliveryPage["items"][number];

/** Messages per page of an endpoint's delivery log. */
export const DELIVERY_PAGE = 10;

const when = (d: Date | null | undefined) => formatDateTime(d, { seconds: true });

/** What became of a message, in the log's words. */
function DeliveryStatus({ m }: { m: Delivery }) {
  switch (m.status) {
    case "delivered":
      return <Badge tone="green">Delivered</Badge>;
    case "failed":
      return <Badge tone="rose">Gave up</Badge>;
    case "sending":
      return <Badge tone="indigo">Sending</Badge>;
    case "pending":
      return m.attemptCount === 0 ? <Badge tone="grey">Queued</Badge> : <Badge tone="amber">Retrying</Badge>;
  }
}

/** An attempt's outcome: the receiver's status code, or why there was none. */
function answerOf(a: { statusCode: number | null; error: string | null }): string {
  if (a.statusCode !== null) return `HTTP ${a.statusCode}`;
  return a.error ?? "No answer";
}

/** A page of an endpoint's delivery log as its table shows it: one row per message, its attempts folded under it. */
export function deliveryRowsPage(partnerId: number, page: DeliveryPage): RowsPage {
  const rows = page.items.map((m) => {
    const last = m.attempts.at(-1);
    return (
      <tr key={m.id} className="hover:bg-slate-50">
        <td className="px-3 py-2">
          <span className="font-mono text-xs text-slate-900">{m.eventType}</span>
          <span className="block font-mono text-xs text-slate-600">{m.id}</span>
          <span className="block text-xs text-slate-600">Queued {when(m.createdAt)}</span>
        </td>
        <td className="px-3 py-2">
          <DeliveryStatus m={m} />
        </td>
        <td className="px-3 py-2 tabular-nums">
          {m.attempts.length === 0 ? (
            "0"
          ) : (
            <details>
              <summary className="cursor-pointer">{m.attemptCount}</summary>
              <ol className="mt-1 space-y-0.5 text-xs text-slate-700">
                {m.attempts.map((a) => (
                  <li key={a.attempt}>
                    #{a.attempt} {when(a.attemptedAt)}: {answerOf(a)}, {a.durationMs} ms
                  </li>
                ))}
              </ol>
            </details>
          )}
        </td>
        <td className="max-w-xs break-words px-3 py-2 text-xs">{last ? answerOf(last) : <Muted />}</td>
        <td className="whitespace-nowrap px-3 py-2 tabular-nums">{last ? `${last.durationMs} ms` : <Muted />}</td>
        <td className="whitespace-nowrap px-3 py-2 tabular-nums">
          {m.nextAttemptAt ? when(m.nextAttemptAt) : <Muted />}
        </td>
        <td className="px-3 py-2 text-right">
          {m.status !== "sending" && (
            <ResendButton partnerId={partnerId} messageId={m.id} label={`Resend ${m.eventType} ${m.id}`} />
          )}
        </td>
      </tr>
    );
  });
  return { rows, count: page.items.length, nextCursor: page.nextCursor };
}
