"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { toast } from "sonner";
import type { AppRouter } from "@/server/api/root";
import { staffRoleSchema } from "@/server/staff/schemas";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, ConfirmDialog, EmptyState, ErrorNotice, PageHeader, Spinner } from "../../../_components/ui";
import { AddStaffForm } from "./add-staff-form";
import { roleLabels, type StaffRole } from "./labels";
import { TemporaryPassword } from "./temporary-password";

type StaffRow = inferRouterOutputs<AppRouter>["staff"]["list"][number];

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const when = (d: Date) => `${dateTime.format(d)} UTC`;

type Tone = "green" | "grey" | "amber" | "indigo";
const tones: Record<Tone, string> = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  grey: "bg-slate-100 text-slate-700 ring-slate-300",
  amber: "bg-amber-50 text-amber-900 ring-amber-200",
  indigo: "bg-indigo-50 text-indigo-800 ring-indigo-200",
};

function Badge({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`inline-flex whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${tones[tone]}`}>{children}</span>;
}

export function StaffDirectory({ currentStaffId }: { currentStaffId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.staff.list.queryOptions());
  const [deactivating, setDeactivating] = useState<StaffRow | null>(null);
  const [resetting, setResetting] = useState<StaffRow | null>(null);
  const [resettingPassword, setResettingPassword] = useState<StaffRow | null>(null);
  const [issued, setIssued] = useState<{ name: string; email: string; temporaryPassword: string } | null>(null);

  const rows = list.data ?? [];
  const emailOf = (staffId: string) => rows.find((r) => r.id === staffId)?.email ?? "the staff member";
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.staff.list.queryKey() });
  const onError = (error: unknown) => toast.error(messageOf(error));

  const changeRole = useMutation(
    trpc.staff.changeRole.mutationOptions({
      onSuccess: (_, input) => {
        toast.success(`${emailOf(input.staffId)} is now ${roleLabels[input.role].toLowerCase()}`);
        return refresh();
      },
      onError,
    }),
  );
  const requireTotp = useMutation(
    trpc.staff.requireTotp.mutationOptions({
      onSuccess: (_, input) => {
        toast.success(input.required ? `Two-factor authentication is now required for ${emailOf(input.staffId)}` : `Two-factor authentication is no longer required for ${emailOf(input.staffId)}`);
        return refresh();
      },
      onError,
    }),
  );
  const unlock = useMutation(
    trpc.staff.unlock.mutationOptions({
      onSuccess: (_, input) => {
        toast.success(`Unlocked ${emailOf(input.staffId)}: they can sign in again`);
        return refresh();
      },
      onError,
    }),
  );
  const deactivate = useMutation(
    trpc.staff.deactivate.mutationOptions({
      onSuccess: (_, input) => {
        toast.success(`Deactivated ${emailOf(input.staffId)}: their sessions have ended`);
        setDeactivating(null);
        return refresh();
      },
      onError: (error) => {
        onError(error);
        setDeactivating(null);
      },
    }),
  );
  const resetTotp = useMutation(
    trpc.staff.resetTotp.mutationOptions({
      onSuccess: (_, input) => {
        toast.success(`Reset two-factor authentication for ${emailOf(input.staffId)}: they set it up again at their next sign-in`);
        setResetting(null);
        return refresh();
      },
      onError: (error) => {
        onError(error);
        setResetting(null);
      },
    }),
  );
  const resetPassword = useMutation(
    trpc.staff.resetPassword.mutationOptions({
      onSuccess: (result) => {
        setIssued(result);
        toast.success(`Reset the password of ${result.email}: their sessions have ended`);
        setResettingPassword(null);
        return refresh();
      },
      onError: (error) => {
        onError(error);
        setResettingPassword(null);
      },
    }),
  );
  const reactivate = useMutation(
    trpc.staff.reactivate.mutationOptions({
      onSuccess: (_, input) => {
        toast.success(`Reactivated ${emailOf(input.staffId)}: they can sign in again`);
        return refresh();
      },
      onError,
    }),
  );

  const busyFor = (staffId: string) =>
    [changeRole, requireTotp, resetTotp, resetPassword, unlock, deactivate, reactivate].some((m) => m.isPending && (m.variables as { staffId?: string } | undefined)?.staffId === staffId);

  return (
    <div>
      <PageHeader title="Staff" description="Who works in the back office, with which role. Add staff members, change roles, require two-factor authentication, reset passwords, unlock and deactivate accounts." />

      <AddStaffForm />

      {issued && (
        <section aria-label="Password reset" className="mb-8">
          <TemporaryPassword password={issued.temporaryPassword} onDone={() => setIssued(null)}>
            New password for {issued.name} ({issued.email}). They are signed out everywhere.
          </TemporaryPassword>
        </section>
      )}

      {list.isPending ? (
        <Spinner label="Loading staff" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title="No staff members yet">Add the first one with the form above.</EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={list.isFetching}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Staff members</caption>
              <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">Staff member</th>
                  <th scope="col" className="px-3 py-2">Role</th>
                  <th scope="col" className="px-3 py-2">Status</th>
                  <th scope="col" className="px-3 py-2">Two-factor</th>
                  <th scope="col" className="px-3 py-2">Last sign-in</th>
                  <th scope="col" className="px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((row) => {
                  const busy = busyFor(row.id);
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
                          <span title="Ask another admin to change your role">{roleLabels[row.role]}</span>
                        ) : (
                          <RoleEditor key={row.role} row={row} busy={busy} onSave={(role) => changeRole.mutate({ staffId: row.id, role })} />
                        )}
                      </td>
                      <td className="px-3 py-2">
                        <div className="flex flex-col items-start gap-1">
                          {row.active ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Deactivated</Badge>}
                          {row.locked && row.lockedUntil && <Badge tone="amber">{`Locked until ${when(row.lockedUntil)}`}</Badge>}
                          {row.failedSignIns > 0 && (
                            <span className="text-xs text-slate-600">
                              {row.failedSignIns} failed sign-in{row.failedSignIns === 1 ? "" : "s"}
                            </span>
                          )}
                        </div>
                      </td>
                      <td className="px-3 py-2">
                        <div className="flex flex-col items-start gap-1">
                          {row.totpEnrolled ? <Badge tone="green">Enrolled</Badge> : <Badge tone="grey">Not set up</Badge>}
                          {row.totpRequired && <Badge tone="indigo">Required</Badge>}
                        </div>
                      </td>
                      <td className="whitespace-nowrap px-3 py-2 tabular-nums">{row.lastLoginAt ? when(row.lastLoginAt) : "Never"}</td>
                      <td className="px-3 py-2">
                        <div className="flex justify-end gap-2 whitespace-nowrap">
                          <Button variant="secondary" disabled={busy} onClick={() => requireTotp.mutate({ staffId: row.id, required: !row.totpRequired })} aria-label={`${row.totpRequired ? "Stop requiring" : "Require"} 2FA for ${row.email}`}>
                            {row.totpRequired ? "Stop requiring 2FA" : "Require 2FA"}
                          </Button>
                          {row.totpEnrolled && !self && (
                            <Button variant="secondary" disabled={busy} onClick={() => setResetting(row)} aria-label={`Reset 2FA for ${row.email}`}>
                              Reset 2FA
                            </Button>
                          )}
                          {row.active && !self && (
                            <Button variant="secondary" disabled={busy} onClick={() => setResettingPassword(row)} aria-label={`Reset password for ${row.email}`}>
                              Reset password
                            </Button>
                          )}
                          {row.locked && (
                            <Button variant="secondary" disabled={busy} onClick={() => unlock.mutate({ staffId: row.id })} aria-label={`Unlock ${row.email}`}>
                              Unlock
                            </Button>
                          )}
                          {!row.active ? (
                            <Button variant="secondary" disabled={busy} onClick={() => reactivate.mutate({ staffId: row.id })} aria-label={`Reactivate ${row.email}`}>
                              Reactivate
                            </Button>
                          ) : (
                            !self && (
                              <Button variant="danger" disabled={busy} onClick={() => setDeactivating(row)} aria-label={`Deactivate ${row.email}`}>
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
        busy={deactivate.isPending}
        onConfirm={() => deactivating && deactivate.mutate({ staffId: deactivating.id })}
        onCancel={() => setDeactivating(null)}
      >
        {`${deactivating?.email ?? ""} is signed out everywhere at once and can no longer sign in. You can reactivate the account later; sessions open now stay ended.`}
      </ConfirmDialog>

      <ConfirmDialog
        open={resetting !== null}
        title={`Reset two-factor authentication for ${resetting?.name ?? ""}?`}
        confirmLabel="Reset 2FA"
        busy={resetTotp.isPending}
        onConfirm={() => resetting && resetTotp.mutate({ staffId: resetting.id })}
        onCancel={() => setResetting(null)}
      >
        {`Their authenticator app stops working for ${resetting?.email ?? ""} and they are signed out everywhere. Do this only after confirming who is asking (a lost phone, for example).`}
      </ConfirmDialog>

      <ConfirmDialog
        open={resettingPassword !== null}
        title={`Reset the password of ${resettingPassword?.name ?? ""}?`}
        confirmLabel="Reset password"
        busy={resetPassword.isPending}
        onConfirm={() => resettingPassword && resetPassword.mutate({ staffId: resettingPassword.id })}
        onCancel={() => setResettingPassword(null)}
      >
        {`The current password of ${resettingPassword?.email ?? ""} stops working and they are signed out everywhere. You see the new password once, to hand over. Do this only after confirming who is asking.`}
      </ConfirmDialog>
    </div>
  );
}

/** A role select with its own save button, so a slip of the keyboard in the select changes nothing by itself. */
function RoleEditor({ row, busy, onSave }: { row: StaffRow; busy: boolean; onSave: (role: StaffRole) => void }) {
  const [draft, setDraft] = useState<StaffRole>(row.role);
  return (
    <div className="flex items-center gap-2">
      <select
        aria-label={`Role of ${row.email}`}
        value={draft}
        onChange={(e) => setDraft(e.target.value as StaffRole)}
        disabled={busy}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus:border-indigo-600 focus:outline-2 focus:outline-indigo-600"
      >
        {staffRoleSchema.options.map((role) => (
          <option key={role} value={role}>
            {roleLabels[role]}
          </option>
        ))}
      </select>
      <Button variant="secondary" disabled={busy || draft === row.role} onClick={() => onSave(draft)} aria-label={`Save role for ${row.email}`}>
        Save
      </Button>
    </div>
  );
}
