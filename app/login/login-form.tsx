"use client";

import { startTransition, useActionState, type FormEvent } from "react";
import { signInAction } from "./actions";

/**
 * Posts to a server action (./actions.ts), so the page ships no sign-in code of
 * its own. Without JavaScript the form posts to the same action and the page
 * comes back with its answer. With it, the submit is sent by hand so that React
 * does not reset the form afterwards: the password stays filled in while the
 * authentication code is asked for.
 */
export function LoginForm({ next }: { next: string }) {
  const [state, action, busy] = useActionState(signInAction, {});

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => action(form));
  }

  return (
    <form action={action} onSubmit={submit} className="mt-6 space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={next} />
      <div className="flex flex-col gap-1">
        <label htmlFor="email" className="text-sm font-medium">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          defaultValue={state.email}
          required
          className="rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-2 focus:outline-indigo-600"
        />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="password" className="text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-2 focus:outline-indigo-600"
        />
      </div>
      {state.needsTotp && (
        <div className="flex flex-col gap-1">
          <label htmlFor="totp" className="text-sm font-medium">
            Authentication code
          </label>
          <input
            id="totp"
            name="totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            autoFocus
            className="rounded-md border border-slate-300 px-3 py-2 text-sm tracking-widest focus:outline-2 focus:outline-indigo-600"
          />
        </div>
      )}
      {state.message && (
        <p role="alert" className="rounded-md bg-rose-50 p-3 text-sm text-rose-900">
          {state.message}
        </p>
      )}
      <button
        type="submit"
        disabled={busy}
        className="w-full rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700 disabled:opacity-60"
      >
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
