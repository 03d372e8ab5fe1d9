import Link from "next/link";
import type { PageData, ProcedureOutputs } from "@/server/api/server-caller";
import { InvoiceStatusBadge, linkClass, SubscriptionStatusBadge } from "../../../_components/display";
import { Section, Table } from "../../../_components/section";
import { ErrorNotice } from "../../../_components/ui";
import { formatDateTime, formatMoney, invoiceKindLabels } from "../../../_components/vocabulary";
import { CreditForm } from "./credit-form";

type Billing = ProcedureOutputs["billing"]["get"];

/** The client's subscriptions and invoices, and (operations and admins, sandbox partners only) sandbox credit. */
export function BillingSection({
  clientId,
  email,
  mayCredit,
  billing,
}: {
  clientId: string;
  email: string;
  mayCredit: boolean;
  /** Read by the page through `billing.get`. */
  billing: PageData<Billing>;
}) {
  return (
    <Section
      id="billing"
      title="Billing"
      description="Subscriptions and invoices, newest first (the latest 50 of each)."
    >
      {!billing.ok ? (
        <ErrorNotice>{billing.message}</ErrorNotice>
      ) : (
        <div className="space-y-6">
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Subscriptions</h3>
            {billing.data.subscriptions.length === 0 ? (
              <p className="mt-2 text-sm text-slate-600">No subscriptions.</p>
            ) : (
              <Table
                caption="Subscriptions"
                headers={["Tier", "Status", "Amount", "Period end (UTC)", "Started (UTC)"]}
              >
                {billing.data.subscriptions.map((s) => (
                  <tr key={s.id}>
                    <td className="px-3 py-2">
                      <Link href={`/tiers/${s.tierId}`} className={linkClass}>
                        {s.tierName}
                      </Link>
                    </td>
                    <td className="px-3 py-2">
                      <SubscriptionStatusBadge status={s.status} />
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(s.amount, s.currency)}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.currentPeriodEnd)}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(s.createdAt)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </div>
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Invoices</h3>
            {billing.data.invoices.length === 0 ? (
              <p className="mt-2 text-sm text-slate-600">No invoices.</p>
            ) : (
              <Table
                caption="Invoices"
                headers={["Issued (UTC)", "Kind", "Amount", "Status", "Due (UTC)", "Paid (UTC)"]}
              >
                {billing.data.invoices.map((i) => (
                  <tr key={i.id}>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(i.createdAt)}</td>
                    <td className="px-3 py-2">{invoiceKindLabels[i.kind]}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(i.amount, i.currency)}</td>
                    <td className="px-3 py-2">
                      <InvoiceStatusBadge status={i.status} />
                      {i.voidReason && <span className="block text-xs text-slate-600">{i.voidReason}</span>}
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(i.dueAt)}</td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(i.paidAt)}</td>
                  </tr>
                ))}
              </Table>
            )}
          </div>
          {mayCredit && billing.data.partner.sandbox && <CreditForm clientId={clientId} email={email} />}
        </div>
      )}
    </Section>
  );
}
