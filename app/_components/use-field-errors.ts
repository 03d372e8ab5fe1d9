import { useEffect, useState } from "react";
import type { FieldErrors } from "./field-errors";

/** The value a field's message is about: the form's value at its dotted path, or at the deepest part of it the form holds. */
function valueAt(values: unknown, path: string): unknown {
  let at = values;
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object" || !(key in at)) break;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * A form's field errors, which follow the user's corrections: a message set
 * after a submit stays beside its field while the field holds the value it
 * was about; once the value changes, the field is checked again with `check`
 * (the form's own schema, see `schemaCheck`) and keeps a message only while
 * the new value still fails, saying what is wrong with it now. A message the
 * schema cannot know about (a name already taken, a record not found) goes as
 * soon as its field changes; without `check`, every message does.
 *
 * `values` are what the form holds now, keyed as the messages are (top-level
 * fields or dotted paths). The setter takes the values the messages are about,
 * by default those of the render it came from: call it from that render's
 * submit handler (even after an await), or pass what was sent when the form
 * tidied its values before sending them.
 */
export function useFieldErrors<V extends object>(
  values: V,
  check?: (values: V) => FieldErrors,
): [FieldErrors, (errors: FieldErrors, about?: V) => void] {
  const [set, setSet] = useState<{ errors: FieldErrors; values: V }>({ errors: {}, values });
  const shown: FieldErrors = {};
  let now: FieldErrors | undefined;
  for (const [path, message] of Object.entries(set.errors)) {
    if (same(valueAt(set.values, path), valueAt(values, path))) {
      shown[path] = message;
      continue;
    }
    now ??= check?.(values) ?? {};
    const still = now[path];
    if (still) shown[path] = still;
  }
  return [shown, (errors, about = values) => setSet({ errors, values: about })];
}

/**
 * A form's check for `useFieldErrors`, loaded after the page rather than with
 * it: `load` imports the form's schema (`import("@/server/…/schemas")`) and
 * builds the check with `schemaCheck`. Zod and the schemas would otherwise
 * be a sixth of a back-office page's first-load JavaScript, for a check that
 * only runs once the server has answered with a message. Until it has loaded
 * (or if it fails to), a message goes as soon as its field changes.
 */
export function useSchemaCheck<V>(
  load: () => Promise<(values: V) => FieldErrors>,
): ((values: V) => FieldErrors) | undefined {
  const [check, setCheck] = useState<{ run: (values: V) => FieldErrors }>();
  useEffect(() => {
    let current = true;
    load().then(
      (run) => current && setCheck({ run }),
      () => undefined,
    );
    return () => {
      current = false;
    };
    // The form's schema does not change while it is on screen: load it once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return check?.run;
}
