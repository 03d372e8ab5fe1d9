"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { SandboxActionInput } from "@/server/kyc/sandbox-provider";
import type { WebhookAck } from "@/server/kyc/schemas";
import { Button, Field, inputClass } from "../../_components/ui";
import { sendSandboxAction } from "./actions";

type Outcome =
  | { kind: "idle" }
  | { kind: "sending"; label: string }
  | { kind: "done"; label: string; result: WebhookAck["result"] }
  | { kind: "failed"; message: string };

const resultWords: Record<WebhookAck["result"], string> = {
  applied: "the app applied it",
  duplicate: "the app had already received it",
  stale: "the app ignored it as older than its last event",
  ignored: "the app does not track this applicant",
};

export function SandboxActions({ token }: { token: string }) {
  const router = useRouter();
  const [labels, setLabels] = useState("");
  const [moderationComment, setModerationComment] = useState("");
  const [clientComment, setClientComment] = useState("");
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });

  async function send(label: string, action: Pick<SandboxActionInput, "action" | "rejectType">) {
    setOutcome({ kind: "sending", label });
    const rejecting = action.action === "reject";
    const body: SandboxActionInput = {
      token,
      ...action,
      ...(rejecting
        ? {
            labels: labels
              .split(",")
              .map((l) => l.trim())
              .filter(Boolean),
            ...(moderationComment.trim() ? { moderationComment } : {}),
            ...(clientComment.trim() ? { clientComment } : {}),
          }
        : {}),
    };
    try {
      const sent = await sendSandboxAction(body);
      if (!sent.ok) return setOutcome({ kind: "failed", message: sent.message });
      setOutcome({ kind: "done", label, result: sent.result });
      router.refresh();
    } catch {
      setOutcome({ kind: "failed", message: "The sandbox webhook did not go through; try again." });
    }
  }

  const busy = outcome.kind === "sending";
  return (
    <div className="mt-8 space-y-6">
      <section aria-labelledby="applicant-heading" className="space-y-3">
        <h2 id="applicant-heading" className="text-lg font-semibold">
          As the applicant
        </h2>
        <p className="text-sm text-slate-700">
          Stands for uploading documents and a selfie in the provider&apos;s SDK.
        </p>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => void send("Submit documents", { action: "submit" })} disabled={busy}>
            Submit documents
          </Button>
        </div>
      </section>

      <section aria-labelledby="reviewer-heading" className="space-y-3">
        <h2 id="reviewer-heading" className="text-lg font-semibold">
          As the provider&apos;s reviewer
        </h2>
        <p className="text-sm text-slate-700">Each button sends the app the signed webhook Sumsub would send.</p>
        <div className="grid gap-4">
          <Field
            label="Reject labels"
            hint="Comma separated, e.g. DOCUMENT_PAGE_MISSING, SELFIE_MISMATCH (rejections only)"
          >
            {(p) => (
              <input
                {...p}
                value={labels}
                onChange={(e) => setLabels(e.target.value)}
                className={`${inputClass} w-full font-mono`}
              />
            )}
          </Field>
          <Field label="Moderation comment (may be shown to the client)">
            {(p) => (
              <textarea
                {...p}
                rows={2}
                maxLength={2000}
                value={moderationComment}
                onChange={(e) => setModerationComment(e.target.value)}
                className={`${inputClass} w-full`}
              />
            )}
          </Field>
          <Field label="Client comment (internal: never shown to the client)">
            {(p) => (
              <textarea
                {...p}
                rows={2}
                maxLength={2000}
                value={clientComment}
                onChange={(e) => setClientComment(e.target.value)}
                className={`${inputClass} w-full`}
              />
            )}
          </Field>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => void send("Approve", { action: "approve" })} disabled={busy}>
            Approve
          </Button>
          <Button
            variant="danger"
            onClick={() => void send("Reject (retry)", { action: "reject", rejectType: "RETRY" })}
            disabled={busy}
          >
            Reject (retry)
          </Button>
          <Button
            variant="danger"
            onClick={() => void send("Reject (final)", { action: "reject", rejectType: "FINAL" })}
            disabled={busy}
          >
            Reject (final)
          </Button>
          <Button variant="secondary" onClick={() => void send("Put on hold", { action: "hold" })} disabled={busy}>
            Put on hold
          </Button>
          <Button variant="secondary" onClick={() => void send("Reset", { action: "reset" })} disabled={busy}>
            Reset
          </Button>
        </div>
      </section>

      <div aria-live="polite">
        {outcome.kind === "sending" && (
          <p role="status" className="text-sm text-slate-700">
            Sending “{outcome.label}”…
          </p>
        )}
        {outcome.kind === "done" && (
          <p role="status" className="rounded-md bg-emerald-50 p-4 text-sm text-emerald-900">
            “{outcome.label}” sent as a signed webhook: {resultWords[outcome.result]}.
          </p>
        )}
        {outcome.kind === "failed" && (
          <p role="alert" className="rounded-md bg-rose-50 p-4 text-sm text-rose-900">
            {outcome.message}
          </p>
        )}
      </div>
    </div>
  );
}
