"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/server/api/server-caller";
import type { Role } from "@/server/auth/policies";
import { Badge } from "../../_components/display";
import { notify } from "../../_components/notifications";
import { Button, ConfirmDialog, EmptyState } from "../../_components/ui";
import { optionsOf, staffRoleLabels } from "../../_components/vocabulary";
import {
  changeRole,
  deactivateStaff,
  reactivateStaff,
  requireTotp,
  resetStaffPassword,
  resetStaffTotp,
  unlockStaff,
} from "./mutations";
import { TemporaryPassword } from "./temporary-password";

/** A staff member as the table shows them: the times already written out on the server. */
export interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  totpEnrolled: boolean;
  totpRequired: boolean;
  locked: boolean;
  lockedUntil: string | null;
  failedSignIns: number;
  lastLogin: string | null;
}

/**
 * The staff table with its actions: the page renders it with the rows it read
 * through `staff.list`; each action is a server action, after which the page
 * is rendered again. A reset password is shown here once.
 */
export function StaffDirectory({ rows, currentStaffId }: { rows: StaffRow[]; currentStaffId: string }) {
  const router = useRouter();
  const [busyId, setBusyId] = useState<string | null>(null);
  const [deactivating, setDeactivating] = useState<StaffRow | null>(null);
  const [resetting, setResetting] = useState<StaffRow | null>(null);
  const [resettingPassword, setResettingPassword] = useState<StaffRow | null>(null);
  const [issued, setIssued] = useState<{ name: string; email: string; temporaryPassword: string } | null>(null);

  /** Runs one change for a row, says how it went, and shows the table as it is now. */
  async function run<T>(row: StaffRow, send: () => Promise<ActionResult<T>>, done: (value: T) => string) {
    setBusyId(row.id);
    const result = await send().catch(() => undefined);
    setBusyId(null);
    if (result?.ok) notify.success(done(result.value));
    else notify.error(result?.message ?? "The change could not be sent; check the connection and try again.");
    router.refresh();
  }
  const saveRole = (row: StaffRow, role: Role) =>
    void run(
      row,
      () => changeRole({ staffId: row.id, role }),
      () => `${row.email} is now ${staffRoleLabels[role].toLowerCase()}`,
    );
  const toggleTotp = (row: StaffRow) =>
    void run(
      row,
      () => requireTotp({ staffId: row.id, required: !row.totpRequired }),
      () =>
        row.totpRequired
          ? `Two-factor authentication is no longer required for ${row.email}`
          : `Two-factor authentication is now required for ${row.email}`,
    );
  const unlock = (row: StaffRow) =>
    void run(
      row,
      () => unlockStaff({ staffId: row.id }),
      () => `Unlocked ${row.email}: they can sign in again`,
    );
  const reactivate = (row: StaffRow) =>
    void run(
      row,
      () => reactivateStaff({ staffId: row.id }),
      () => `Reactivated ${row.email}: they can sign in again`,
    );
  async function deactivate(row: StaffRow) {
    await run(
      row,
      () => deactivateStaff({ staffId: row.id }),
      () => `Deactivated ${row.email}: their sessions have ended`,
    );
    setDeactivating(null);
  }
  async function resetTotp(row: StaffRow) {
    await run(
      row,
      () => resetStaffTotp({ staffId: row.id }),
      () => `Reset two-factor authentication for ${row.email}: they set it up again at their next sign-in`,
    );
    setResetting(null);
  }
  async function resetPassword(row: StaffRow) {
    await run(
      row,
      () => resetStaffPassword({ staffId: row.id }),
      (result) => {
        setIssued(result);
        return `Reset the password of ${result.email}: their sessions have ended`;
      },
    );
    setResettingPassword(null);
  }

  return (
    <div>
      {issued && (
        <section aria-label="Password reset" className="mb-8">
          <TemporaryPassword password={issued.temporaryPassword} onDone={() => setIssued(null)}>
            New password for {issued.name} ({issued.email}). They are signed out everywhere.
          </TemporaryPassword>
        </section>
      )}

      {rows.length === 0 ? (
        <EmptyState title="No staff members yet">Add the first one with the form above.</EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={busyId !== null}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Staff members</caption>
              <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Staff member
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Role
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Two-factor
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Last sign-in
                  </th>
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((row) => {
                  const busy = busyId === row.id;
                  const self = row.id === currentStaffId;
                  return (
                    <tr key={row.id} className={row.active ? "hover:bg-slate-50" : "bg-slate-50 text-slate-600"}>
                      <th scope="row" className="px-3 py-2 text-left font-normal">
                        <span className="block font-medium text-slate-900">
                          {row.name}
                          {self && <span className="ml-1 text-xs font-normal text-slate-600">(you)</span>}
                        </span>
                        <span className="block text-slate-600">{row.email}</span>
                      </th>
                      <td className="px-3 py-2">
                        {self ? (
                          <span title="Ask another admin to change your role">{staffRoleLabels[row.role]}</span>
                        ) : (
                          <RoleEditor key={row.role} row={row} busy={busy} onSave={(role) => saveRole(row, role)} />
                        )}
                      </td>
                      <td className="px-3 py-2">
                        <div className="flex flex-col items-start gap-1">
                          {row.active ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Deactivated</Badge>}
                          {row.locked && row.lockedUntil && (
                            <Badge tone="amber">{`Locked until ${row.lockedUntil}`}</Badge>
                          )}
                          {row.failedSignIns > 0 && (
                            <span className="text-xs text-slate-600">
                              {row.failedSignIns} failed sign-in{row.failedSignIns === 1 ? "" : "s"}
                            </span>
                          )}
                        </div>
                      </td>
                      <td className="px-3 py-2">
                        <div className="flex flex-col items-start gap-1">
                          {row.totpEnrolled ? (
                            <Badge tone="green">Enrolled</Badge>
                          ) : (
                            <Badge tone="grey">Not set up</Badge>
                          )}
                          {row.totpRequired && <Badge tone="indigo">Required</Badge>}
                        </div>
                      </td>
                      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{row.lastLogin ?? "Never"}</td>
                      <td className="px-3 py-2">
                        <div className="flex justify-end gap-2 whitespace-nowrap">
                          <Button
                            variant="secondary"
                            disabled={busy}
                            onClick={() => toggleTotp(row)}
                            aria-label={`${row.totpRequired ? "Stop requiring" : "Require"} 2FA for ${row.email}`}
                          >
                            {row.totpRequired ? "Stop requiring 2FA" : "Require 2FA"}
                          </Button>
                          {row.totpEnrolled && !self && (
                            <Button
                              variant="secondary"
                              disabled={busy}
                              onClick={() => setResetting(row)}
                              aria-label={`Reset 2FA for ${row.email}`}
                            >
                              Reset 2FA
                            </Button>
                          )}
                          {row.active && !self && (
                            <Button
                              variant="secondary"
                              disabled={busy}
                              onClick={() => setResettingPassword(row)}
                              aria-label={`Reset password for ${row.email}`}
                            >
                              Reset password
                            </Button>
                          )}
                          {row.locked && (
                            <Button
                              variant="secondary"
                              disabled={busy}
                              onClick={() => unlock(row)}
                              aria-label={`Unlock ${row.email}`}
                            >
                              Unlock
                            </Button>
                          )}
                          {!row.active ? (
                            <Button
                              variant="secondary"
                              disabled={busy}
                              onClick={() => reactivate(row)}
                              aria-label={`Reactivate ${row.email}`}
                            >
                              Reactivate
                            </Button>
                          ) : (
                            !self && (
                              <Button
                                variant="danger"
                                disabled={busy}
                                onClick={() => setDeactivating(row)}
                                aria-label={`Deactivate ${row.email}`}
                              >
                                Deactivate
                              </Button>
                            )
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p role="status" className="mt-4 text-sm text-slate-600">
            {rows.length} staff member{rows.length === 1 ? "" : "s"}, {rows.filter((r) => r.active).length} active.
          </p>
        </>
      )}

      <ConfirmDialog
        open={deactivating !== null}
        title={`Deactivate ${deactivating?.name ?? ""}?`}
        confirmLabel="Deactivate"
        busy={busyId !== null}
        onConfirm={() => deactivating && void deactivate(deactivating)}
        onCancel={() => setDeactivating(null)}
      >
        {`${deactivating?.email ?? ""} is signed out everywhere at once and can no longer sign in. You can reactivate the account later; sessions open now stay ended.`}
      </ConfirmDialog>

      <ConfirmDialog
        open={resetting !== null}
        title={`Reset two-factor authentication for ${resetting?.name ?? ""}?`}
        confirmLabel="Reset 2FA"
        busy={busyId !== null}
        onConfirm={() => resetting && void resetTotp(resetting)}
        onCancel={() => setResetting(null)}
      >
        {`Their authenticator app stops working for ${resetting?.email ?? ""} and they are signed out everywhere. Do this only after confirming who is asking (a lost phone, for example).`}
      </ConfirmDialog>

      <ConfirmDialog
        open={resettingPassword !== null}
        title={`Reset the password of ${resettingPassword?.name ?? ""}?`}
        confirmLabel="Reset password"
        busy={busyId !== null}
        onConfirm={() => resettingPassword && void resetPassword(resettingPassword)}
        onCancel={() => setResettingPassword(null)}
      >
        {`The current password of ${resettingPassword?.email ?? ""} stops working and they are signed out everywhere. You see the new password once, to hand over. Do this only after confirming who is asking.`}
      </ConfirmDialog>
    </div>
  );
}

/** A role select with its own save button, so a slip of the keyboard in the select changes nothing by itself. */
function RoleEditor({ row, busy, onSave }: { row: StaffRow; busy: boolean; onSave: (role: Role) => void }) {
  const [draft, setDraft] = useState<Role>(row.role);
  return (
    <div className="flex items-center gap-2">
      <select
        aria-label={`Role of ${row.email}`}
        value={draft}
        onChange={(e) => setDraft(e.target.value as Role)}
        disabled={busy}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus:border-indigo-600 focus:outline-2 focus:outline-indigo-600"
      >
        {optionsOf(staffRoleLabels).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Button
        variant="secondary"
        disabled={busy || draft === row.role}
        onClick={() => onSave(draft)}
        aria-label={`Save role for ${row.email}`}
      >
        Save
      </Button>
    </div>
  );
}
