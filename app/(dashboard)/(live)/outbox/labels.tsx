"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import type { OutboxViewStatus } from "@/server/mail/schemas";
import { messageOf, useTRPC } from "../../../_components/trpc";

/** What the Outbox list and the message page share: state labels, the mailbox notice, retrying. */

export const statusLabels: Record<OutboxViewStatus, string> = {
  queued: "Queued",
  failing: "Failing, will retry",
  failed: "Failed",
  sending: "Sending",
  sent: "Sent",
};

const tones: Record<OutboxViewStatus, string> = {
  queued: "bg-slate-100 text-slate-700 ring-slate-300",
  failing: "bg-amber-50 text-amber-900 ring-amber-200",
  failed: "bg-rose-50 text-rose-800 ring-rose-200",
  sending: "bg-indigo-50 text-indigo-800 ring-indigo-200",
  sent: "bg-emerald-50 text-emerald-800 ring-emerald-200",
};

export function StatusBadge({ status }: { status: OutboxViewStatus }) {
  return <span className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tones[status]}`}>{statusLabels[status]}</span>;
}

/** Only what went wrong can be retried; sending and sent messages are left alone. */
export const canRetry = (status: OutboxViewStatus) => status === "failing" || status === "failed";

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
export const when = (d: Date | null | undefined) => (d ? dateTime.format(d) : "—");

export function DevelopmentMailboxNotice() {
  return (
    <div role="note" aria-label="Development mailbox" className="mb-6 rounded-md border border-sky-200 bg-sky-50 p-4 text-sm text-sky-950">
      <p className="font-medium">This is the development mailbox.</p>
      <p className="mt-1">
        SMTP_URL is not set, so no email leaves this server: every email the app sends waits here as queued. Open one to read it. Set SMTP_URL (and MAIL_FROM) to deliver mail for real.
      </p>
    </div>
  );
}

/** Retrying: a toast either way, and the list and message refresh. */
export function useRetryEmail() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.outbox.retry.mutationOptions({
      onSuccess: () => {
        toast.success("Queued again for delivery");
        return queryClient.invalidateQueries({ queryKey: trpc.outbox.pathKey() });
      },
      onError: (error) => {
        toast.error(messageOf(error));
        return queryClient.invalidateQueries({ queryKey: trpc.outbox.pathKey() });
      },
    }),
  );
}
