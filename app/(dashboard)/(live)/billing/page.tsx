import type { Metadata } from "next";
import { getStaffSession } from "@/server/auth/session";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { InvoicesList } from "./invoices-list";
import { SubscriptionsList } from "./subscriptions-list";

export const metadata: Metadata = { title: "Subscriptions & invoices" };

export default async function BillingPage() {
  const staff = await getStaffSession();
  if (staff?.role !== "admin" && staff?.role !== "operations") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Subscriptions & invoices" />
        <ErrorNotice>Subscriptions and invoices are run by operations staff and admins; a client&apos;s billing is on the client&apos;s page.</ErrorNotice>
      </div>
    );
  }
  return (
    <div className="space-y-10">
      <PageHeader
        title="Subscriptions & invoices"
        description="Every partner's subscriptions and invoices, newest first. Cancel a subscription, or void an open invoice, with a reason that goes to the audit log."
      />
      <SubscriptionsList />
      <InvoicesList />
    </div>
  );
}
