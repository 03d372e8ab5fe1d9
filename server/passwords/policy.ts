import { z } from "zod";

/**
 * The two password policies of the two API flavours. Both are zod schemas so
 * the same rule validates requests, back-office forms and the OpenAPI document.
 */

// Upper bound for the white-label flavour, which states none: keeps hashing cost bounded.
export const WHITE_LABEL_PASSWORD_MAX = 128;

const passwordString = () =>
  z.string({ error: (issue) => (issue.input === undefined ? "password is required" : "password must be a string") });

/** Partner API: 8–32 characters, lower- and upper-case Latin letters, a digit and a symbol. */
export const partnerPasswordSchema = passwordString()
  .min(8, "Password must be at least 8 characters")
  .max(32, "Password must be at most 32 characters")
  .regex(/[a-z]/, "Password must contain a lower-case Latin letter")
  .regex(/[A-Z]/, "Password must contain an upper-case Latin letter")
  .regex(/[0-9]/, "Password must contain a digit")
  .regex(/[^\p{L}\p{N}\s]/u, "Password must contain a symbol such as ! @ # $")
  .meta({
    description: "8–32 characters with lower- and upper-case Latin letters, a digit and a symbol",
    example: "A9#bL8@z",
  });

/** White-label API: at least 8 characters with a lower-case letter, an upper-case letter and a digit. */
export const whiteLabelPasswordSchema = passwordString()
  .min(8, "Password must be at least 8 characters")
  .max(WHITE_LABEL_PASSWORD_MAX, `Password must be at most ${WHITE_LABEL_PASSWORD_MAX} characters`)
  .regex(/\p{Ll}/u, "Password must contain a lower-case letter")
  .regex(/\p{Lu}/u, "Password must contain an upper-case letter")
  .regex(/\p{Nd}/u, "Password must contain a digit")
  .meta({
    description: "At least 8 characters with a lower-case letter, an upper-case letter and a digit",
    example: "Qwerty123",
  });
