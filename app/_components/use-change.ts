"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/server/api/server-caller";
import { hasFieldErrors, type FieldErrors } from "./field-errors";
import { notify } from "./notifications";

const offline = "The change could not be sent; check the connection and try again.";

/**
 * Runs one change made by a server action: on success says so and renders
 * the page again (and whatever the router would otherwise show as it was); a
 * refusal's field messages, passed through `fieldsOf` when the form keys them
 * its own way, go to `onFields`, anything else to a notification.
 */
export function useChange(o: { fieldsOf?: (fields: FieldErrors) => FieldErrors } = {}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function run<T>(
    send: () => Promise<ActionResult<T>>,
    done: (value: T) => string,
    onFields?: (fields: FieldErrors) => void,
  ): Promise<boolean> {
    setBusy(true);
    const result = await send().catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      notify.success(done(result.value));
      router.refresh();
      return true;
    }
    const fields = (o.fieldsOf ?? ((f: FieldErrors) => f))(result?.fieldErrors ?? {});
    onFields?.(fields);
    if (!result || !onFields || !hasFieldErrors(fields)) notify.error(result?.message ?? offline);
    return false;
  }
  return { busy, run };
}
