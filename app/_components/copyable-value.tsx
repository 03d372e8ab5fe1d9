"use client";

import { useId, useRef, type ReactNode } from "react";
import { notify } from "./notifications";
import { Button, inputClass } from "./ui";

/**
 * A value staff copy and hand over (a new partnerId, a master API key): a
 * read-only, labelled text box with a copy button. When the clipboard is
 * blocked the value is selected instead, for copying with the keyboard.
 */
export function CopyableValue({
  label,
  value,
  copyLabel,
  note,
  wide,
  actions,
}: {
  label: string;
  value: string;
  copyLabel: string;
  note?: ReactNode;
  wide?: boolean;
  actions?: ReactNode;
}) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      notify.success(`${label} copied`);
    } catch {
      input.current?.select();
      notify.error(`Copying is blocked here; the ${label.toLowerCase()} is selected, copy it with your keyboard`);
    }
  }

  return (
    <div>
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor={id} className="text-sm font-medium">
            {label}
          </label>
          <input
            ref={input}
            id={id}
            readOnly
            value={value}
            onFocus={(e) => e.target.select()}
            aria-describedby={note ? `${id}-note` : undefined}
            className={`${inputClass} font-mono ${wide ? "w-full min-w-0 sm:w-[36rem]" : "w-40"}`}
          />
        </div>
        <Button variant="secondary" onClick={() => void copy()}>
          {copyLabel}
        </Button>
        {actions}
      </div>
      {note && (
        <p id={`${id}-note`} className="mt-2 text-sm">
          {note}
        </p>
      )}
    </div>
  );
}
