"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

// One message for a wrong email, a wrong password and a locked account alike: the form must not
// tell a stranger which accounts exist. It says that failures pause sign-in, for the owner's sake.
const messages: Record<string, string> = {
  invalid:
    "The email or password is not correct. After repeated failures, sign-in pauses for a few minutes; an admin can lift the pause.",
  totp_required: "Enter the 6-digit code from your authenticator app.",
  totp_invalid: "That code is not correct. Check your authenticator app and try again.",
};

export function LoginForm({ next }: { next: string }) {
  const router = useRouter();
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    const result = await signIn("credentials", {
      redirect: false,
      email: textOf(form, "email"),
      password: textOf(form, "password"),
      totp: textOf(form, "totp"),
    });
    setBusy(false);
    if (!result || result.error) {
      const code = result?.code ?? "invalid";
      if (code === "totp_required" || code === "totp_invalid") setNeedsTotp(true);
      setError(messages[code] ?? messages.invalid);
      return;
    }
    router.replace(next);
    router.refresh();
  }

  // method="post": a submit before hydration must not put the password in the URL (and so in logs and history).
  return (
    <form method="post" onSubmit={(e) => void submit(e)} className="mt-6 space-y-4" noValidate>
      <div className="flex flex-col gap-1">
        <label htmlFor="email" className="text-sm font-medium">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
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
      {needsTotp && (
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
      {error && (
        <p role="alert" className="rounded-md bg-rose-50 p-3 text-sm text-rose-900">
          {error}
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

/** A text field's value; a file (which no field here is) counts as empty. */
function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
