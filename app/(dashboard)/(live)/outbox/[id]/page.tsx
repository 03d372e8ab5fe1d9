import type { Metadata } from "next";
import { getStaffSession } from "@/server/auth/session";
import { mailDelivery } from "@/server/mail/admin";
import { ErrorNotice, PageHeader } from "../../../../_components/ui";
import { OutboxMessage } from "./outbox-message";

export const metadata: Metadata = { title: "Email" };

export default async function OutboxMessagePage({ params }: { params: Promise<{ id: string }> }) {
  const staff = await getStaffSession();
  if (staff?.role !== "admin" && staff?.role !== "operations") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Email" />
        <ErrorNotice>Only operations staff and admins read the outbox; ask one of them.</ErrorNotice>
      </div>
    );
  }
  const { id } = await params;
  return <OutboxMessage id={id} developmentMailbox={!mailDelivery().smtpConfigured} />;
}
