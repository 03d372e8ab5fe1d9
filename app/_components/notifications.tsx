"use client";

import { useSyncExternalStore } from "react";

/**
 * The back office's confirmations ("Created tier Gold", "A new code is on its
 * way") and refusals that no field shows: a small live region in the corner.
 * Any island calls `notify`; the page (or the layout) renders <Notifications/>
 * once. A message goes away by itself after a while, or with its close button.
 */

type Tone = "success" | "error" | "info";

interface Notice {
  id: number;
  tone: Tone;
  message: string;
}

const SHOWN_FOR_MS = 6000;
/** Older messages give way: a burst of actions does not cover the page. */
const MOST_AT_ONCE = 3;

let notices: readonly Notice[] = [];
let lastId = 0;
const listeners = new Set<() => void>();
const none: readonly Notice[] = [];

function publish(next: readonly Notice[]) {
  notices = next;
  for (const listener of listeners) listener();
}

function dismiss(id: number) {
  publish(notices.filter((n) => n.id !== id));
}

function push(tone: Tone, message: string) {
  const id = ++lastId;
  publish([...notices, { id, tone, message }].slice(-MOST_AT_ONCE));
  setTimeout(() => dismiss(id), SHOWN_FOR_MS);
}

export const notify = {
  success: (message: string) => push("success", message),
  error: (message: string) => push("error", message),
  info: (message: string) => push("info", message),
};

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

const tones: Record<Tone, string> = {
  success: "border-emerald-200 bg-emerald-50 text-emerald-950",
  error: "border-rose-200 bg-rose-50 text-rose-950",
  info: "border-slate-200 bg-white text-slate-900",
};

export function Notifications() {
  const shown = useSyncExternalStore(
    subscribe,
    () => notices,
    () => none,
  );
  return (
    <section
      aria-label="Notifications"
      aria-live="polite"
      className="pointer-events-none fixed right-4 top-4 z-50 w-96 max-w-[calc(100vw-2rem)]"
    >
      {shown.length > 0 && (
        <ol className="flex flex-col gap-2">
          {shown.map((n) => (
            <li
              key={n.id}
              className={`pointer-events-auto flex items-start justify-between gap-3 rounded-md border p-3 text-sm shadow-md ${tones[n.tone]}`}
            >
              <span>{n.message}</span>
              <button
                type="button"
                onClick={() => dismiss(n.id)}
                aria-label="Close toast"
                className="mt-0.5 rounded p-0.5 text-current opacity-70 hover:opacity-100 focus-visible:outline-2 focus-visible:outline-indigo-700"
              >
                {/* A drawing, not a character: the item's text is the message alone. */}
                <svg
                  aria-hidden
                  viewBox="0 0 12 12"
                  className="size-3"
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="1.5"
                >
                  <path d="M2 2l8 8M10 2l-8 8" />
                </svg>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
