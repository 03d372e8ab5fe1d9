"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { notify } from "../../../_components/notifications";
import { Button, ErrorNotice, Field, inputClass } from "../../../_components/ui";
import { useFieldErrors } from "../../../_components/use-field-errors";
import { confirmTotp, startTotp } from "./mutations";

const offline = "The request could not be sent; check the connection and try again.";

/** Setting up TOTP: a secret from the server (shown as a QR code), then a code from the app to turn it on. */
export function TotpSetup({ enrolled, required }: { enrolled: boolean; required: boolean }) {
  const router = useRouter();
  const [started, setStarted] = useState<{ secret: string; qrSvg: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const [startProblem, setStartProblem] = useState<string>();
  const [code, setCode] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string>();
  // A wrong code's message goes as soon as another code is typed.
  const [errors, setErrors] = useFieldErrors({ code });

  async function start() {
    setStarting(true);
    const result = await startTotp().catch(() => undefined);
    setStarting(false);
    if (result?.ok) {
      setStartProblem(undefined);
      setStarted(result.value);
    } else setStartProblem(result?.message ?? offline);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!started) return;
    setConfirming(true);
    const result = await confirmTotp({ secret: started.secret, code }).catch(() => undefined);
    setConfirming(false);
    if (result?.ok) {
      setErrors({});
      setProblem(undefined);
      notify.success("Two-factor authentication is on");
      router.refresh();
      return;
    }
    const fields = result?.fieldErrors ?? {};
    setErrors(fields);
    setProblem(fields.code ? undefined : (result?.message ?? offline));
  }

  if (enrolled)
    return (
      <p role="status" className="rounded-md bg-emerald-50 p-4 text-sm text-emerald-900">
        Two-factor authentication is on. You will be asked for a code from your authenticator app at every sign-in.
      </p>
    );
  return (
    <section aria-labelledby="totp-heading" className="rounded-lg border border-slate-200 bg-white p-6">
      <h2 id="totp-heading" className="text-lg font-semibold">
        Set up two-factor authentication
      </h2>
      {required && (
        <p role="alert" className="mt-2 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          An admin requires two-factor authentication for your account. Set it up to continue.
        </p>
      )}
      {!started ? (
        <div className="mt-4">
          <Button onClick={() => void start()} disabled={starting}>
            {starting ? "Preparing…" : "Start setup"}
          </Button>
          {startProblem && <ErrorNotice>{startProblem}</ErrorNotice>}
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="mt-4 space-y-4">
          <p className="text-sm text-slate-700">
            Scan this code with your authenticator app, or type the setup key, then enter the 6-digit code it shows.
          </p>
          <div
            className="size-48 rounded border border-slate-200 bg-white p-1"
            role="img"
            aria-label="QR code for your authenticator app"
            dangerouslySetInnerHTML={{ __html: started.qrSvg }}
          />
          <p className="text-sm">
            Setup key:{" "}
            <code className="rounded bg-slate-100 px-1 font-mono" data-testid="totp-secret">
              {started.secret}
            </code>
          </p>
          <Field label="Code from the app" error={errors.code}>
            {(p) => (
              <input
                {...p}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                className={`${inputClass} w-40 tracking-widest`}
              />
            )}
          </Field>
          <Button type="submit" disabled={confirming}>
            {confirming ? "Checking…" : "Turn on two-factor authentication"}
          </Button>
          {problem && <ErrorNotice>{problem}</ErrorNotice>}
        </form>
      )}
    </section>
  );
}
