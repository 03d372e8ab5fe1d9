"use client";

import { useState } from "react";

type State = { kind: "idle" } | { kind: "sending" } | { kind: "done" } | { kind: "failed"; message: string };

export function ConfirmEmailForm({ token }: { token: string }) {
  const [state, setState] = useState<State>({ kind: "idle" });

  async function confirm() {
    setState({ kind: "sending" });
    try {
      const res = await fetch("/api/public/confirm-email", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      });
      if (res.ok) return setState({ kind: "done" });
      const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      if (body?.error?.code === "already_confirmed") return setState({ kind: "done" });
      setState({ kind: "failed", message: body?.error?.message ?? "The confirmation did not go through." });
    } catch {
      setState({ kind: "failed", message: "The network is unavailable; try again." });
    }
  }

  if (state.kind === "done") {
    return (
      <p role="status" className="mt-4 rounded-md bg-emerald-50 p-4 text-emerald-900">
        Your email is confirmed. You can return to the app.
      </p>
    );
  }
  return (
    <div className="mt-4 space-y-4">
      <p className="text-slate-700">Press the button to confirm that this address is yours.</p>
      <button
        type="button"
        onClick={() => void confirm()}
        disabled={state.kind === "sending"}
        className="rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700 disabled:opacity-60"
      >
        {state.kind === "sending" ? "Confirming…" : "Confirm my email"}
      </button>
      {state.kind === "failed" && (
        <p role="alert" className="rounded-md bg-rose-50 p-4 text-rose-900">
          {state.message}
        </p>
      )}
    </div>
  );
}
