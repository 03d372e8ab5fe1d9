"use client";

import { useId, useRef, type ReactNode } from "react";
import { notify } from "../../_components/notifications";
import { Button, inputClass } from "../../_components/ui";

/**
 * A password the server generated for a staff member (their first one, or an
 * admin's reset): on screen until the admin is done with it, and never again.
 * `children` says whose it is.
 */
export function TemporaryPassword({
  password,
  onDone,
  children,
}: {
  password: string;
  onDone: () => void;
  children: ReactNode;
}) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(password);
      notify.success("Password copied");
    } catch {
      input.current?.select();
      notify.error("Copying is blocked here; the password is selected, copy it with your keyboard");
    }
  }

  return (
    <div className="mt-4 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950">
      <p role="status" className="font-medium">
        {children}
      </p>
      <div className="mt-3 flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-password`} className="font-medium">
            Temporary password
          </label>
          <input
            ref={input}
            id={`${id}-password`}
            readOnly
            value={password}
            onFocus={(e) => e.target.select()}
            aria-describedby={`${id}-note`}
            className={`${inputClass} w-72 font-mono`}
          />
        </div>
        <Button variant="secondary" onClick={() => void copy()}>
          Copy password
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Done
        </Button>
      </div>
      <p id={`${id}-note`} className="mt-2">
        This password will not be shown again. Hand it over in person or through a channel you trust; they sign in with
        it at once.
      </p>
    </div>
  );
}
