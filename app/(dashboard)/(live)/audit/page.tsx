import type { Metadata } from "next";
import { Suspense } from "react";
import { getStaffSession } from "@/server/auth/session";
import { ErrorNotice, PageHeader, Spinner } from "../../../_components/ui";
import { AuditLog } from "./audit-log";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditLogPage() {
  const staff = await getStaffSession();
  if (staff?.role !== "admin") {
    return (
      <div className="max-w-3xl">
        <PageHeader title="Audit log" />
        <ErrorNotice>Only admins read the audit log; ask an admin.</ErrorNotice>
      </div>
    );
  }
  // useSearchParams needs a Suspense boundary: the filters live in the URL.
  return (
    <Suspense fallback={<Spinner label="Loading the audit log" />}>
      <AuditLog />
    </Suspense>
  );
}
