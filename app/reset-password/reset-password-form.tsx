"use client";

import { useId, useState, type FormEvent } from "react";
import type { FieldErrors } from "../_components/field-errors";
import { useFieldErrors } from "../_components/use-field-errors";

type State = { kind: "idle" } | { kind: "sending" } | { kind: "done" } | { kind: "failed"; message: string };

const RULES = {
  partner: "8 to 32 characters, with a lower- and an upper-case Latin letter, a digit and a symbol.",
  "white-label": "At least 8 characters, with a lower-case letter, an upper-case letter and a digit.",
};

const DIFFER = "The two passwords differ";

/** Both fields share one message: it is about the pair, checked again as either changes. */
type Pair = { password: { password: string; repeat: string } };
const checkPair = ({ password: p }: Pair): FieldErrors => (p.password === p.repeat ? {} : { password: DIFFER });

/** Sends the new password with the link's token to the reset endpoint of the client's flavour, which checks both. */
export function ResetPasswordForm({
  token,
  partnerId,
  flavour,
}: {
  token: string;
  partnerId: string;
  flavour: "partner" | "white-label";
}) {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [state, setState] = useState<State>({ kind: "idle" });
  const [errors, setErrors] = useFieldErrors<Pair>({ password: { password, repeat } }, checkPair);
  const fieldError = errors.password;
  const passwordId = useId();
  const repeatId = useId();
  const hintId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== repeat) {
      setErrors({ password: DIFFER });
      return;
    }
    setErrors({});
    setState({ kind: "sending" });
    try {
      const res = await fetch(flavour === "partner" ? "/reg/password/reset" : "/api/public/password/reset", {
        method: "POST",
        headers: { "content-type": "application/json", partnerId },
        body: JSON.stringify({ token, password }),
      });
      if (res.ok) return setState({ kind: "done" });
      const body = (await res.json().catch(() => null)) as {
        error?: { message?: string; fields?: Array<{ path: string; message: string }> };
      } | null;
      const onPassword = body?.error?.fields?.filter((f) => f.path === "password").map((f) => f.message);
      if (onPassword && onPassword.length > 0) {
        setErrors({ password: onPassword.join(". ") });
        return setState({ kind: "idle" });
      }
      setState({ kind: "failed", message: body?.error?.message ?? "The password could not be changed." });
    } catch {
      setState({ kind: "failed", message: "The network is unavailable; try again." });
    }
  }

  if (state.kind === "done") {
    return (
      <p role="status" className="mt-4 rounded-md bg-emerald-50 p-4 text-emerald-900">
        Your password is changed, and every device was signed out. Sign in with the new password in the app.
      </p>
    );
  }
  const input =
    "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 focus-visible:outline-2 focus-visible:outline-indigo-700";
  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="mt-4 space-y-4">
      <div>
        <label htmlFor={passwordId} className="block text-sm font-medium text-slate-900">
          New password
        </label>
        <input
          id={passwordId}
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={hintId}
          aria-invalid={fieldError !== undefined}
          className={input}
        />
        <p id={hintId} className="mt-1 text-sm text-slate-600">
          {RULES[flavour]}
        </p>
      </div>
      <div>
        <label htmlFor={repeatId} className="block text-sm font-medium text-slate-900">
          The new password again
        </label>
        <input
          id={repeatId}
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          aria-invalid={fieldError !== undefined}
          className={input}
        />
      </div>
      {fieldError && (
        <p role="alert" className="text-sm text-rose-700">
          {fieldError}
        </p>
      )}
      <button
        type="submit"
        disabled={state.kind === "sending"}
        className="rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700 disabled:opacity-60"
      >
        {state.kind === "sending" ? "Saving…" : "Change my password"}
      </button>
      {state.kind === "failed" && (
        <p role="alert" className="rounded-md bg-rose-50 p-4 text-rose-900">
          {state.message}
        </p>
      )}
    </form>
  );
}
