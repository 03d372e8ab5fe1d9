import type { ZodType } from "zod";
import { fieldErrorsFromIssues, fieldMessages } from "@/server/errors";

/**
 * The back office's forms show one message beside each field. These are the
 * only ways app/ builds them: from a check with the server's own schema (zod
 * issues), and keyed by a form's top-level fields. Messages the server
 * sends arrive keyed already (a server action's `fieldErrors`), by the same
 * `fieldMessages`.
 */

/** Messages keyed by a field's dotted path ("address.postalCode"). */
export type FieldErrors = Record<string, string>;

/** The issues of a failed `schema.safeParse`, one message per field; with `topLevel`, keyed by the form's own fields ("features.2" → "features"). */
function issueMessages(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  o: { topLevel?: boolean } = {},
): FieldErrors {
  const messages = fieldMessages(fieldErrorsFromIssues(issues));
  return o.topLevel ? topLevelMessages(messages) : messages;
}

/** Messages keyed by the top-level field they belong to, the first one per field winning. */
export function topLevelMessages(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) out[path.split(".")[0]!] ??= message;
  return out;
}

export const hasFieldErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;

/**
 * A form's check with its own schema, for `useFieldErrors`: the messages the
 * schema gives for what `candidateOf` makes of the form's values, keyed as
 * the form keys its messages (`topLevel` as in `issueMessages`).
 */
export function schemaCheck<V>(
  schema: ZodType,
  candidateOf: (values: V) => unknown,
  o: { topLevel?: boolean } = {},
): (values: V) => FieldErrors {
  return (values) => {
    const parsed = schema.safeParse(candidateOf(values));
    return parsed.success ? {} : issueMessages(parsed.error.issues, o);
  };
}
