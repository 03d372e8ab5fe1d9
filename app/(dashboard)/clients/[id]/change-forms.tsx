"use client";

import { useState, type FormEvent } from "react";
import type { ClientState } from "@/server/clients/schemas";
import { hasFieldErrors, schemaCheck } from "../../../_components/field-errors";
import { useChange } from "../../../_components/use-change";
import { Button, ConfirmDialog, Field, inputClass } from "../../../_components/ui";
import { useFieldErrors, useSchemaCheck } from "../../../_components/use-field-errors";
import {
  clientStateLabels as stateLabels,
  verificationLabels,
  type VerificationStatus,
} from "../../../_components/vocabulary";
import { revokeSession, setState, setVerification } from "./mutations";

/** The client page's change islands: each calls its server action, says how it went, and renders the page again. */

function ReasonField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  return (
    <Field label="Reason" error={error} hint="Recorded in the audit trail (3–500 characters)">
      {(p) => (
        <textarea
          {...p}
          required
          rows={2}
          maxLength={500}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          className={`${inputClass} w-full`}
        />
      )}
    </Field>
  );
}

type VerificationValues = { verificationStatus: VerificationStatus; verificationLevel: number; reason: string };

export function VerificationForm({
  clientId,
  status: savedStatus,
  level: savedLevel,
}: {
  clientId: string;
  status: VerificationStatus;
  level: number;
}) {
  const { busy, run } = useChange();
  const [status, setStatus] = useState<VerificationStatus>(savedStatus);
  const [level, setLevel] = useState(savedLevel);
  const [reason, setReason] = useState("");
  const check = useSchemaCheck<VerificationValues>(() =>
    import("@/server/clients/schemas").then((m) =>
      schemaCheck(m.changeVerificationSchema, (v: VerificationValues) => ({ clientId, ...v })),
    ),
  );
  const values = { verificationStatus: status, verificationLevel: level, reason };
  const [errors, setErrors] = useFieldErrors(values, check);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const done = await run(
      () => setVerification({ clientId, ...values }),
      (r) => `Verification set to ${verificationLabels[r.verificationStatus]}, level ${r.verificationLevel}`,
      (fields) => setErrors(fields, values),
    );
    if (done) {
      setErrors({});
      setReason("");
    }
  }

  return (
    <form
      onSubmit={(e) => void submit(e)}
      noValidate
      className="mt-6 grid gap-4 border-t border-slate-100 pt-4 sm:grid-cols-2"
    >
      <h3 className="text-sm font-semibold text-slate-900 sm:col-span-2">Change verification</h3>
      <Field label="Status" error={errors.verificationStatus}>
        {(p) => (
          <select
            {...p}
            value={status}
            onChange={(e) => setStatus(e.target.value as VerificationStatus)}
            className={inputClass}
          >
            {Object.entries(verificationLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Level" error={errors.verificationLevel}>
        {(p) => (
          <select {...p} value={level} onChange={(e) => setLevel(Number(e.target.value))} className={inputClass}>
            {[0, 1, 2, 3, 4, 5].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="sm:col-span-2">
        <ReasonField value={reason} onChange={setReason} error={errors.reason} />
      </div>
      <div>
        <Button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Change verification"}
        </Button>
      </div>
    </form>
  );
}

export function StateForm({ clientId, email, current }: { clientId: string; email: string; current: ClientState }) {
  const { busy, run } = useChange();
  const choices = (Object.keys(stateLabels) as ClientState[]).filter((s) => s !== current);
  const [state, setChosen] = useState<ClientState>(choices[0]!);
  const [reason, setReason] = useState("");
  const check = useSchemaCheck<{ state: ClientState; reason: string }>(() =>
    import("@/server/clients/schemas").then((m) =>
      schemaCheck(m.changeStateSchema, (v: { state: ClientState; reason: string }) => ({ clientId, ...v })),
    ),
  );
  const [errors, setErrors] = useFieldErrors({ state, reason }, check);
  const [confirming, setConfirming] = useState(false);

  async function change() {
    const sent = { state, reason };
    await run(
      () => setState({ clientId, ...sent }),
      (r) =>
        `Client is now ${stateLabels[r.profileState].toLowerCase()}${r.sessionsRevoked ? `; ${r.sessionsRevoked} session token(s) revoked` : ""}`,
      (fields) => setErrors(fields, sent),
    );
    setConfirming(false);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const local = check?.({ state, reason }) ?? {};
    setErrors(local);
    if (hasFieldErrors(local)) return;
    // Suspending or blocking ends the client's sessions: ask first.
    if (state === "active") void change();
    else setConfirming(true);
  }

  return (
    <>
      <form onSubmit={submit} noValidate className="mt-6 space-y-4 border-t border-slate-100 pt-4">
        <fieldset>
          <legend className="text-sm font-semibold text-slate-900">Change state to</legend>
          <div className="mt-2 flex flex-wrap gap-4">
            {choices.map((s) => (
              <label key={s} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="state"
                  value={s}
                  checked={state === s}
                  onChange={() => setChosen(s)}
                  aria-describedby={errors.state ? "state-error" : undefined}
                />
                {stateLabels[s]}
              </label>
            ))}
          </div>
          {errors.state && (
            <p id="state-error" className="mt-1 text-sm text-rose-700">
              {errors.state}
            </p>
          )}
        </fieldset>
        <ReasonField value={reason} onChange={setReason} error={errors.reason} />
        <Button type="submit" variant={state === "active" ? "primary" : "danger"} disabled={busy}>
          {busy
            ? "Saving…"
            : state === "active"
              ? "Activate client"
              : `${state === "blocked" ? "Block" : "Suspend"} client`}
        </Button>
      </form>
      <ConfirmDialog
        open={confirming}
        title={`${state === "blocked" ? "Block" : "Suspend"} ${email}?`}
        confirmLabel={state === "blocked" ? "Block client" : "Suspend client"}
        busy={busy}
        onConfirm={() => void change()}
        onCancel={() => setConfirming(false)}
      >
        The client is signed out everywhere at once and cannot sign in until activated again. Reason: “{reason.trim()}”.
      </ConfirmDialog>
    </>
  );
}

/** "Revoke" for one session (`familyId`), or "End all sessions" without one; both ask first. */
export function RevokeSessionButton({
  clientId,
  familyId,
  target,
}: {
  clientId: string;
  familyId?: string;
  /** What ends, for the dialog: "the session started …", "every session of this client". */
  target: string;
}) {
  const { busy, run } = useChange();
  const [confirming, setConfirming] = useState(false);
  async function revoke() {
    await run(
      () => revokeSession(familyId ? { clientId, familyId } : { clientId }),
      () => (familyId ? "Session ended" : "All sessions ended"),
    );
    setConfirming(false);
  }
  return (
    <>
      {familyId ? (
        <Button variant="secondary" onClick={() => setConfirming(true)}>
          Revoke
        </Button>
      ) : (
        <Button variant="danger" className="mt-4" onClick={() => setConfirming(true)}>
          End all sessions
        </Button>
      )}
      <ConfirmDialog
        open={confirming}
        title="End the session?"
        confirmLabel="End session"
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setConfirming(false)}
      >
        This ends {target}. The client has to sign in again on that device.
      </ConfirmDialog>
    </>
  );
}
