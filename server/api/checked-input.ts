import type { z } from "zod";

/**
 * A tRPC input parser for services that parse their input themselves with a
 * schema that transforms it (billing amounts become bigint minor units). The
 * input is checked with that schema here, so a bad request fails with the
 * usual field errors before the service runs, and the service gets what was
 * sent: given the schema's output instead, its own parse would refuse it.
 */
export function checkedInput<S extends z.ZodType>(schema: S) {
  const parse = (raw: unknown): z.input<S> => {
    schema.parse(raw);
    return raw as z.input<S>;
  };
  // Kept on the parser so tests that walk the router can still see which fields a procedure takes.
  return Object.assign(parse, { schema });
}
