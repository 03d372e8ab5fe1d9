import type { Metadata } from "next";
import { loadPage } from "@/server/api/server-caller";
import { RoleRefusal } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { PageHeader } from "../../_components/ui";
import { formatDateTime } from "../../_components/vocabulary";
import { AddStaffForm } from "./add-staff-form";
import { StaffDirectory, type StaffRow } from "./staff-directory";

export const metadata: Metadata = { title: "Staff" };

/** The admins' Staff page: the members read on the server through `staff.list`, the changes made in islands. */
export default async function StaffPage() {
  const page = await loadPage("/staff", (api) => Promise.all([api.account.me(), api.staff.list()]));
  if (!page.ok)
    return (
      <RoleRefusal title="Staff">
        {page.kind === "forbidden" ? "Only admins manage staff accounts; ask an admin." : page.message}
      </RoleRefusal>
    );
  const [me, staff] = page.data;
  const rows: StaffRow[] = staff.map((s) => ({
    id: s.id,
    email: s.email,
    name: s.name,
    role: s.role,
    active: s.active,
    totpEnrolled: s.totpEnrolled,
    totpRequired: s.totpRequired,
    locked: s.locked,
    lockedUntil: s.lockedUntil ? formatDateTime(s.lockedUntil, { zone: true }) : null,
    failedSignIns: s.failedSignIns,
    lastLogin: s.lastLoginAt ? formatDateTime(s.lastLoginAt, { zone: true }) : null,
  }));
  return (
    <div>
      <PageHeader
        title="Staff"
        description="Who works in the back office, with which role. Add staff members, change roles, require two-factor authentication, reset passwords, unlock and deactivate accounts."
      />
      <Notifications />
      <AddStaffForm />
      <StaffDirectory rows={rows} currentStaffId={me.id} />
    </div>
  );
}
