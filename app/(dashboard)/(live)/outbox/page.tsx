import type { Metadata } from "next";
import { getStaffSession } from "@/server/auth/session";
import { mailDelivery } from "@/server/mail/admin";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { OutboxList } from "./outbox-list";

export const metadata: Metadata = { title: "Outbox" };

export default async function OutboxPage() {
  const staff = await getStaffSession();
  if (staff?.role !== "admin" && staff?.role !== "operations") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Outbox" />
        <ErrorNotice>Only operations staff and admins read the outbox; ask one of them.</ErrorNotice>
      </div>
    );
  }
  return <OutboxList developmentMailbox={!mailDelivery().smtpConfigured} />;
}
