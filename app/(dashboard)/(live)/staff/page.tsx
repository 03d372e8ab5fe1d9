import type { Metadata } from "next";
import { getStaffSession } from "@/server/auth/session";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { StaffDirectory } from "./staff-directory";

export const metadata: Metadata = { title: "Staff" };

export default async function StaffPage() {
  const staff = await getStaffSession();
  if (staff?.role !== "admin") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Staff" />
        <ErrorNotice>Only admins manage staff accounts; ask an admin.</ErrorNotice>
      </div>
    );
  }
  return <StaffDirectory currentStaffId={staff.id} />;
}
