import type { Metadata } from "next";
import { getStaffSession } from "@/server/auth/session";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { PartnersDirectory } from "./partners-directory";

export const metadata: Metadata = { title: "Partners" };

export default async function PartnersPage() {
  const staff = await getStaffSession();
  if (staff?.role !== "admin" && staff?.role !== "kam") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Partners" />
        <ErrorNotice>Partners are managed by their key account managers and by admins.</ErrorNotice>
      </div>
    );
  }
  return <PartnersDirectory role={staff.role} />;
}
