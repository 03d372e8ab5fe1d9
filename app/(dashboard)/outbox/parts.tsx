import type { OutboxViewStatus } from "@/server/mail/schemas";
import { outboxStatusLabels } from "../../_components/vocabulary";

/** What the Outbox list and the message page share: the state badge and the development mailbox notice. */

const tones: Record<OutboxViewStatus, string> = {
  queued: "bg-slate-100 text-slate-700 ring-slate-300",
  failing: "bg-amber-50 text-amber-900 ring-amber-200",
  failed: "bg-rose-50 text-rose-800 ring-rose-200",
  sending: "bg-indigo-50 text-indigo-800 ring-indigo-200",
  sent: "bg-emerald-50 text-emerald-800 ring-emerald-200",
};

export function StatusBadge({ status }: { status: OutboxViewStatus }) {
  return (
    <span
      className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tones[status]}`}
    >
      {outboxStatusLabels[status]}
    </span>
  );
}

/** Only what went wrong can be retried; sending and sent messages are left alone. */
export const canRetry = (status: OutboxViewStatus) => status === "failing" || status === "failed";

export function DevelopmentMailboxNotice() {
  return (
    <div
      role="note"
      aria-label="Development mailbox"
      className="mb-6 rounded-md border border-sky-200 bg-sky-50 p-4 text-sm text-sky-950"
    >
      <p className="font-medium">This is the development mailbox.</p>
      <p className="mt-1">
        SMTP_URL is not set, so no email leaves this server: every email the app sends waits here as queued. Open one to
        read it. Set SMTP_URL (and MAIL_FROM) to deliver mail for real.
      </p>
    </div>
  );
}
