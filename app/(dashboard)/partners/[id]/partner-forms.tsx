"use client";

import { useState, type FormEvent } from "react";
import { hasFieldErrors, schemaCheck, topLevelMessages } from "../../../_components/field-errors";
import { useChange } from "../../../_components/use-change";
import { PartnerStatusBadge } from "../../../_components/display";
import { Section } from "../../../_components/section";
import { Button, ConfirmDialog, Field, inputClass } from "../../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import { settingsCandidateOf, SettingsFields, settingsFormOf, type SettingsFormState } from "../settings-fields";
import { reactivatePartner, reassignPartner, suspendPartner, updatePartner } from "./partner-actions";

/**
 * The partner page's sections that change the partner: settings, status and
 * (admins) its key account manager. The page renders them with what it read
 * through `partner.get`; each change is a server action, after which the page
 * renders again.
 */

/** The partner as these forms need it. */
export interface PartnerForForms {
  id: number;
  name: string;
  status: "active" | "suspended";
  sandbox: boolean;
  captchaRequired: boolean;
  quotaPerIpHour: number;
  quotaTotalHour: number;
  allowedUserTypes: string[];
  defaultCurrency: string;
  kycApprovedLevel: number;
  ownerStaffId: string | null;
  owner: { id: string; name: string; email: string } | null;
}

type Role = "admin" | "kam";

const settingLabels: Record<string, string> = {
  name: "name",
  sandbox: "sandbox",
  captchaRequired: "captcha",
  quotaPerIpHour: "per-IP quota",
  quotaTotalHour: "total quota",
  allowedUserTypes: "user types",
  defaultCurrency: "currency",
  kycApprovedLevel: "KYC approved level",
};

export function SettingsSection({ partner, role }: { partner: PartnerForForms; role: Role }) {
  const { busy, run } = useChange({ fieldsOf: topLevelMessages });
  const saved = settingsFormOf(partner);
  const [form, setForm] = useState<SettingsFormState>(saved);
  const check = useSchemaCheck<SettingsFormState>(() =>
    import("@/server/partners/schemas").then((m) =>
      schemaCheck(
        m.updatePartnerSchema,
        (f: SettingsFormState) => ({ partnerId: partner.id, ...settingsCandidateOf(f) }),
        { topLevel: true },
      ),
    ),
  );
  const [errors, setErrors] = useFieldErrors(form, check);
  const dirty = JSON.stringify(settingsCandidateOf(form)) !== JSON.stringify(settingsCandidateOf(saved));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const sent = form;
    const done = await run(
      () => updatePartner({ partnerId: partner.id, ...settingsCandidateOf(sent) }),
      ({ changed }) =>
        changed.length === 0
          ? "Nothing to save: the settings are unchanged"
          : `Saved ${changed.map((k) => settingLabels[k] ?? k).join(", ")}`,
      (fields) => setErrors(fields, sent),
    );
    if (done) setErrors({});
  }

  return (
    <Section
      id="settings"
      title="Settings"
      description="Changes apply to the partner's next public API call. Every change is recorded in the audit log."
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        <SettingsFields
          form={form}
          errors={errors}
          onChange={setForm}
          disabled={busy}
          adminOnly={role === "admin" ? undefined : { sandbox: true, quotasOff: !partner.sandbox }}
        />
        <div className="flex gap-2">
          <Button type="submit" disabled={busy || !dirty}>
            {busy ? "Saving…" : "Save settings"}
          </Button>
          <Button
            variant="secondary"
            disabled={busy || !dirty}
            onClick={() => {
              setForm(saved);
              setErrors({});
            }}
          >
            Discard changes
          </Button>
        </div>
      </form>
    </Section>
  );
}

export function StatusSection({ partner }: { partner: PartnerForForms }) {
  const { busy, run } = useChange({ fieldsOf: topLevelMessages });
  const [reason, setReason] = useState("");
  const check = useSchemaCheck<{ reason: string }>(() =>
    import("@/server/partners/schemas").then((m) =>
      schemaCheck(m.partnerStatusChangeSchema, (v: { reason: string }) => ({ partnerId: partner.id, ...v }), {
        topLevel: true,
      }),
    ),
  );
  const [errors, setErrors] = useFieldErrors({ reason }, check);
  const [confirming, setConfirming] = useState(false);
  const suspending = partner.status === "active";
  const error = errors.reason;

  function ask(event: FormEvent) {
    event.preventDefault();
    const local = check?.({ reason }) ?? {};
    setErrors(local);
    if (!hasFieldErrors(local)) setConfirming(true);
  }

  async function change() {
    const sent = { reason };
    await run(
      () => (suspending ? suspendPartner : reactivatePartner)({ partnerId: partner.id, reason }),
      () =>
        suspending
          ? `Suspended ${partner.name}: its public API calls are refused from now on`
          : `Reactivated ${partner.name}: its public API calls work again`,
      (fields) => setErrors(fields, sent),
    );
    setConfirming(false);
  }

  return (
    <Section
      id="status"
      title="Status"
      description={
        suspending
          ? "Suspending refuses the partner's public API calls (registration, sign-in) at once. Nothing is deleted; you can reactivate it later."
          : "The partner is suspended: its public API calls are refused. Reactivating lets them through again."
      }
    >
      <form onSubmit={ask} noValidate className="flex flex-col gap-3 sm:max-w-xl">
        <p className="text-sm">
          Currently <PartnerStatusBadge status={partner.status} />
        </p>
        <Field
          label={suspending ? "Reason for suspending" : "Reason for reactivating"}
          error={error}
          hint="Recorded in the audit log (3–500 characters)"
        >
          {(p) => (
            <textarea
              {...p}
              rows={2}
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              className={`${inputClass} w-full`}
            />
          )}
        </Field>
        <div>
          <Button type="submit" variant={suspending ? "danger" : "primary"} disabled={busy}>
            {suspending ? "Suspend partner" : "Reactivate partner"}
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={confirming}
        title={suspending ? `Suspend ${partner.name}?` : `Reactivate ${partner.name}?`}
        confirmLabel={suspending ? "Suspend" : "Reactivate"}
        busy={busy}
        onConfirm={() => void change()}
        onCancel={() => setConfirming(false)}
      >
        {suspending
          ? `From the next request on, registrations and sign-ins for partnerId ${partner.id} are refused with partner_suspended. Its clients and keys stay as they are.`
          : `Registrations and sign-ins for partnerId ${partner.id} work again from the next request on.`}
      </ConfirmDialog>
    </Section>
  );
}

/** The KAMs a partner may be given to, read by the page through `staff.list` (admins only); a message when they could not be. */
export type KamChoices = Array<{ id: string; name: string; email: string }> | string;

export function OwnerSection({ partner, kams }: { partner: PartnerForForms; kams: KamChoices }) {
  const { busy, run } = useChange({ fieldsOf: topLevelMessages });
  const [owner, setOwner] = useState(partner.ownerStaffId ?? "");
  const check = useSchemaCheck<{ ownerStaffId: string }>(() =>
    import("@/server/partners/schemas").then((m) =>
      schemaCheck(m.reassignPartnerSchema, (v: { ownerStaffId: string }) => ({ partnerId: partner.id, ...v }), {
        topLevel: true,
      }),
    ),
  );
  const [errors, setErrors] = useFieldErrors({ ownerStaffId: owner }, check);
  const error = errors.ownerStaffId;
  const choices = typeof kams === "string" ? [] : kams;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const sent = { ownerStaffId: owner };
    await run(
      () => reassignPartner({ partnerId: partner.id, ownerStaffId: owner }),
      ({ ownerName }) => `${partner.name} is now managed by ${ownerName}`,
      (fields) => setErrors(fields, sent),
    );
  }

  return (
    <Section
      id="owner"
      title="Key account manager"
      description="The KAM who owns this partner sees it, its clients and its keys. The previous owner loses access with their next request."
    >
      <form onSubmit={(e) => void submit(e)} noValidate className="flex flex-wrap items-start gap-3">
        <div className="w-full sm:w-96">
          <Field label="Owner" error={error} hint={typeof kams === "string" ? kams : undefined}>
            {(p) => (
              <select
                {...p}
                value={owner}
                onChange={(e) => setOwner(e.target.value)}
                disabled={busy}
                className={`${inputClass} w-full`}
              >
                <option value="">Choose a key account manager</option>
                {partner.owner && !choices.some((k) => k.id === partner.owner!.id) && (
                  <option value={partner.owner.id} disabled>
                    {partner.owner.name} ({partner.owner.email}) — no longer an active KAM
                  </option>
                )}
                {choices.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name} ({k.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Button type="submit" className="sm:mt-6" disabled={busy || owner === (partner.ownerStaffId ?? "")}>
          {busy ? "Reassigning…" : "Reassign"}
        </Button>
      </form>
    </Section>
  );
}
