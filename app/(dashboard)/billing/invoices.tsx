import type { ProcedureOutputs } from "@/server/api/server-caller";
import Link from "next/link";
import type { InvoiceStatus } from "@/server/billing/schemas";
import { InvoiceStatusBadge, linkClass } from "../../_components/display";
import { wholeNumber } from "../../_components/list-page";
import type { RowsPage } from "../../_components/paged-table";
import { Muted } from "../../_components/section";
import { formatDateTime, formatMoney, invoiceKindLabels, type InvoiceKind } from "../../_components/vocabulary";
import { VoidInvoiceButton } from "./row-actions";

type InvoicesPage = ProcedureOutputs["invoice"]["list"];

/** The Invoices list's filters in the address, named apart from the Subscriptions list's on the same page. */
export const INVOICE_FILTER_KEYS = ["invoicePartnerId", "invoiceStatus", "invoiceKind", "invoiceEmail"] as const;
type InvoiceFilters = Partial<Record<(typeof INVOICE_FILTER_KEYS)[number], string>>;

/** The address's filters as `invoice.list` takes them; its schema checks them. */
export function invoiceListInput(f: InvoiceFilters, cursor?: string) {
  return {
    partnerId: wholeNumber(f.invoicePartnerId),
    status: f.invoiceStatus as InvoiceStatus | undefined,
    kind: f.invoiceKind as InvoiceKind | undefined,
    email: f.invoiceEmail,
    cursor,
    limit: 50,
  };
}

/** A page of invoices as the table shows it. */
export function invoiceRowsPage(page: InvoicesPage): RowsPage {
  const rows = page.items.map((i) => (
    <tr key={i.id} className="hover:bg-slate-50">
      <td className="break-all px-3 py-2">
        <Link href={`/clients/${i.clientId}`} className={`font-medium ${linkClass}`}>
          {i.clientEmail}
        </Link>
      </td>
      <td className="px-3 py-2">
        {i.partnerName} ({i.partnerId})
      </td>
      <td className="px-3 py-2">{i.tierName}</td>
      <td className="px-3 py-2">{invoiceKindLabels[i.kind]}</td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatMoney(i.amount, i.currency)}</td>
      <td className="px-3 py-2">
        <InvoiceStatusBadge status={i.status} />
      </td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(i.dueAt)}</td>
      <td className="px-3 py-2 tabular-nums">
        {i.status === "paid" ? (
          formatDateTime(i.paidAt)
        ) : i.status === "void" ? (
          <>
            <span className="whitespace-nowrap">{formatDateTime(i.voidedAt)}</span>
            {i.voidReason && <span className="block text-xs text-slate-600">{i.voidReason}</span>}
          </>
        ) : (
          <Muted />
        )}
      </td>
      <td className="px-3 py-2">
        {i.status === "open" && (
          <VoidInvoiceButton
            invoice={{ id: i.id, clientEmail: i.clientEmail }}
            summary={`${invoiceKindLabels[i.kind]} of ${formatMoney(i.amount, i.currency)} for ${i.tierName}. `}
          />
        )}
      </td>
    </tr>
  ));
  return { rows, count: page.items.length, nextCursor: page.nextCursor ?? null };
}
