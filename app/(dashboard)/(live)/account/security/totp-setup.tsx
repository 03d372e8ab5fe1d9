"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { notify } from "../../../../_components/notifications";
import { fieldErrorsOf, messageOf, useTRPC } from "../../../../_components/trpc";
import { Button, ErrorNotice, Field, inputClass, Spinner } from "../../../../_components/ui";
import { useFieldErrors } from "../../../../_components/use-field-errors";

export function TotpSetup() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const security = useQuery(trpc.account.security.queryOptions());
  const start = useMutation(trpc.account.startTotp.mutationOptions());
  const confirm = useMutation(
    trpc.account.confirmTotp.mutationOptions({
      onSuccess: async () => {
        notify.success("Two-factor authentication is on");
        start.reset();
        await queryClient.invalidateQueries();
        router.refresh();
      },
    }),
  );
  const [code, setCode] = useState("");
  // A wrong code's message goes as soon as another code is typed.
  const [errors, setErrors] = useFieldErrors({ code });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (start.data)
      confirm.mutate({ secret: start.data.secret, code }, { onError: (e) => setErrors(fieldErrorsOf(e)) });
  }

  return (
    <>
      {security.isPending ? (
        <Spinner />
      ) : security.isError ? (
        <ErrorNotice>{messageOf(security.error)}</ErrorNotice>
      ) : security.data.totpEnrolled ? (
        <p role="status" className="rounded-md bg-emerald-50 p-4 text-sm text-emerald-900">
          Two-factor authentication is on. You will be asked for a code from your authenticator app at every sign-in.
        </p>
      ) : (
        <section aria-labelledby="totp-heading" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 id="totp-heading" className="text-lg font-semibold">
            Set up two-factor authentication
          </h2>
          {security.data.totpRequired && (
            <p role="alert" className="mt-2 rounded-md bg-amber-50 p-3 text-sm text-amber-900">
              An admin requires two-factor authentication for your account. Set it up to continue.
            </p>
          )}
          {!start.data ? (
            <div className="mt-4">
              <Button onClick={() => start.mutate()} disabled={start.isPending}>
                {start.isPending ? "Preparing…" : "Start setup"}
              </Button>
              {start.isError && <ErrorNotice>{messageOf(start.error)}</ErrorNotice>}
            </div>
          ) : (
            <form onSubmit={submit} className="mt-4 space-y-4">
              <p className="text-sm text-slate-700">
                Scan this code with your authenticator app, or type the setup key, then enter the 6-digit code it shows.
              </p>
              <div
                className="size-48 rounded border border-slate-200 bg-white p-1"
                role="img"
                aria-label="QR code for your authenticator app"
                dangerouslySetInnerHTML={{ __html: start.data.qrSvg }}
              />
              <p className="text-sm">
                Setup key:{" "}
                <code className="rounded bg-slate-100 px-1 font-mono" data-testid="totp-secret">
                  {start.data.secret}
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
              <Button type="submit" disabled={confirm.isPending}>
                {confirm.isPending ? "Checking…" : "Turn on two-factor authentication"}
              </Button>
              {confirm.isError && !fieldErrorsOf(confirm.error).code && (
                <ErrorNotice>{messageOf(confirm.error)}</ErrorNotice>
              )}
            </form>
          )}
        </section>
      )}
    </>
  );
}
