"use client";

import { useState } from "react";
import { notify } from "../../../_components/notifications";
import { Section } from "../../../_components/section";
import { Button, ConfirmDialog } from "../../../_components/ui";
import { formatDateTime } from "../../../_components/vocabulary";
import { sendPasswordReset } from "./mutations";

/**
 * Send password reset: the client gets the same code and link as from the
 * app's "forgot password". Staff never see the code nor set the password;
 * the answer says only until when the email's link works.
 */
export function PasswordResetSection({
  clientId,
  email,
  canChange,
  state,
}: {
  clientId: string;
  email: string;
  canChange: boolean;
  state: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  async function send() {
    setSending(true);
    const result = await sendPasswordReset({ clientId }).catch(() => undefined);
    setSending(false);
    setConfirming(false);
    if (result?.ok)
      notify.success(
        `Password reset sent to ${result.value.email}; its link and code work until ${formatDateTime(result.value.expiresAt, { zone: true })}`,
      );
    else notify.error(result?.message ?? "The reset could not be sent; check the connection and try again.");
  }
  return (
    <Section
      id="password"
      title="Password"
      description="Staff never see or set a client's password; the client chooses a new one from the reset email."
    >
      {canChange && state === "active" ? (
        <>
          <Button variant="secondary" onClick={() => setConfirming(true)} disabled={sending}>
            {sending ? "Sending…" : "Send password reset"}
          </Button>
          <ConfirmDialog
            open={confirming}
            title={`Send a password reset to ${email}?`}
            confirmLabel="Send password reset"
            busy={sending}
            onConfirm={() => void send()}
            onCancel={() => setConfirming(false)}
          >
            The client gets an email with a code and a link to choose a new password, valid for 30 minutes. Their
            current password keeps working until they do; choosing a new one signs them out everywhere.
          </ConfirmDialog>
        </>
      ) : (
        <p className="text-sm text-slate-600">
          {canChange
            ? `The client is ${state}: activate them before sending a password reset.`
            : "Operations staff and admins can send the client a password reset email."}
        </p>
      )}
    </Section>
  );
}
