import type { Metadata } from "next";
import { getStaffSession } from "@/server/auth/session";
import { ErrorNotice, PageHeader } from "../../../../_components/ui";
import { PartnerDetail } from "./partner-detail";
import { PartnerHostsSection } from "./hosts-section";
import { PartnerWebhooksSection } from "./webhooks-section";

export const metadata: Metadata = { title: "Partner" };

export default async function PartnerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const staff = await getStaffSession();
  if (staff?.role !== "admin" && staff?.role !== "kam") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Partner" />
        <ErrorNotice>Partners are managed by their key account managers and by admins.</ErrorNotice>
      </div>
    );
  }
  // Anything but a partnerId is a partner that does not exist; the detail view says so.
  const partnerId = /^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2_147_483_647 ? Number(id) : null;
  return (
    <>
      <PartnerDetail partnerId={partnerId} role={staff.role} />
      {partnerId !== null && <PartnerHostsSection partnerId={partnerId} />}
      {partnerId !== null && <PartnerWebhooksSection partnerId={partnerId} />}
    </>
  );
}
