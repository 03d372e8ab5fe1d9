import { z } from "zod";

/** Control characters: PostgreSQL cannot store NUL, and none belongs in a name, a reason or a search. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Text people type: any string without control characters. */
export const plainText = (error?: string) =>
  z.string(error ? { error } : undefined).refine((v) => !CONTROL.test(v), "Control characters are not allowed");
