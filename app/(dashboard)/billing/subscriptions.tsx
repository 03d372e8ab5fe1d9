import type { ProcedureOutputs } from "@/server/api/server-caller";
import Link from "next/link";
import type { SubscriptionStatus } from "@/server/billing/schemas";
import { linkClass, SubscriptionStatusBadge } from "../../_components/display";
import { wholeNumber } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { Muted } from "../../_components/section";
import { formatDateTime, formatMoney } from "../../_components/vocabulary";
import { CancelSubscriptionButton } from "./row-actions";

type SubscriptionsPage = ProcedureOutputs["subscription"]["list"];

/** The Subscriptions list's filters in the address, named apart from the Invoices list's on the same page. */
export const SUBSCRIPTION_FILTER_KEYS = ["subscriptionPartnerId", "subscriptionStatus", "subscriptionEmail"] as const;
type SubscriptionFilters = Partial<Record<(typeof SUBSCRIPTION_FILTER_KEYS)[number], string>>;

/** The address's filters as `subscription.list` takes them; its schema checks them. */
export function subscriptionListInput(f: SubscriptionFilters, cursor?: string) {
  return {
    partnerId: wholeNumber(f.subscriptionPartnerId),
    status: f.subscriptionStatus as SubscriptionStatus | undefined,
    email: f.subscriptionEmail,
    cursor,
    limit: 50,
  };
}

/** A page of subscriptions as the table shows it. */
export function subscriptionRowsPage(page: SubscriptionsPage): RowsPage {
  const now = Date.now();
  const rows = page.items.map((s) => (
    <tr key={s.id} className="hover:bg-slate-50">
      <td className="break-all px-3 py-2">
        <Link href={`/clients/${s.clientId}`} className={`font-medium ${linkClass}`}>
          {s.clientEmail}
        </Link>
      </td>
      <td className="px-3 py-2">
        {s.partnerName} ({s.partnerId})
      </td>
      <td className="px-3 py-2">
        <Link href={`/tiers/${s.tierId}`} className={linkClass}>
          {s.tierName}
        </Link>
      </td>
      <td className="px-3 py-2">
        <SubscriptionStatusBadge status={s.status} />
      </td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(s.amount, s.currency)}</td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums">
        {s.currentPeriodEnd ? formatDateTime(s.currentPeriodEnd) : <Muted />}
      </td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.createdAt)}</td>
      <td className="px-3 py-2">
        {/* Only a subscription that is still running can be cancelled. */}
        {(s.status === "INIT" || s.status === "ACTIVE") && (
          <CancelSubscriptionButton
            subscription={{ id: s.id, clientEmail: s.clientEmail, tierName: s.tierName }}
            paidUntil={
              s.status === "ACTIVE" && s.currentPeriodEnd && s.currentPeriodEnd.getTime() > now
                ? formatDateTime(s.currentPeriodEnd, { zone: true })
                : null
            }
          />
        )}
      </td>
    </tr>
  ));
  return { rows, count: page.items.length, nextCursor: page.nextCursor ?? null };
}
