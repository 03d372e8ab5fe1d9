import { z } from "zod";
import { partnerIdSchema } from "../partners/schemas";
import { partnerPasswordSchema, whiteLabelPasswordSchema } from "../passwords/policy";
import { COUNTRY_CODES } from "./countries";
import { VERIFICATION_STATUSES } from "../../db/enums";

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .max(254, "Email must be at most 254 characters")
  .pipe(z.email("Email must be a valid address"))
  .meta({ example: "jane.doe@example.com" });

// Printable text only: names and addresses are shown back in the back office.
const text = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`)
    .refine((v) => !/[\p{Cc}\p{Cf}]/u.test(v), `${label} must not contain control characters`);

export const countryCodeSchema = z
  .string({ error: "countryCode is required" })
  .trim()
  .toUpperCase()
  .refine((v) => COUNTRY_CODES.has(v), "countryCode must be an ISO 3166-1 alpha-2 code such as LV")
  .meta({ example: "LV" });

const birthDateSchema = z.iso
  .date("birthDate must be a date in the form YYYY-MM-DD")
  .refine(
    (v) => v >= "1900-01-01" && new Date(`${v}T00:00:00Z`).getTime() <= Date.now(),
    "birthDate must be a real date in the past",
  )
  .meta({ example: "2005-04-03" });

export const verificationStatusSchema = z.enum(VERIFICATION_STATUSES);
const LEVEL_RULE = "verificationLevel must be a whole number from 0 to 5";
export const verificationLevelSchema = z
  .number({ error: LEVEL_RULE })
  .int(LEVEL_RULE)
  .min(0, LEVEL_RULE)
  .max(5, LEVEL_RULE);
/** The white-label API's source document types the level as a String: "3" is taken as 3; "3.5", "six" or "" are refused. */
const verificationLevelOnTheWire = z.union(
  [
    verificationLevelSchema,
    z
      .string()
      .regex(/^[0-5]$/)
      .transform(Number),
  ],
  { error: LEVEL_RULE },
);

const userTypeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z0-9_]{1,31}$/, "userType must be a type such as CUSTOMER")
  .default("CUSTOMER");

const confirmationCodeSchema = z
  .string({ error: "emailConfirmCode must be a string of digits" })
  .trim()
  .regex(/^[0-9]{4,8}$/, "emailConfirmCode must be the digits from the email");

/** The Device-type header of mobile apps: a short name such as ios or android. */
export const deviceTypeSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,32}$/, "Device-type must be a short name such as ios or android")
  .meta({ example: "ios" });

/** Partner API "Create New User": step 1 without `emailConfirmCode`, step 2 with it. */
export const partnerRegistrationSchema = z
  .object({
    email: emailSchema,
    password: partnerPasswordSchema,
    userType: userTypeSchema,
    emailConfirmCode: confirmationCodeSchema.optional(),
    partnerId: partnerIdSchema.optional().meta({ description: "Accepted here when the partnerId header is absent" }),
  })
  .meta({ id: "PartnerRegistrationRequest" });
export type PartnerRegistrationInput = z.infer<typeof partnerRegistrationSchema>;

/** Fields that only a partner's master API key (or back-office staff) may set. */
export const PRIVILEGED_FIELDS = ["verificationStatus", "verificationLevel", "clientIp"] as const;

export const whiteLabelRegistrationSchema = z
  .object({
    firstName: text("firstName", 100),
    lastName: text("lastName", 100),
    email: emailSchema,
    countryCode: countryCodeSchema,
    password: whiteLabelPasswordSchema,
    referralCode: z
      .union([text("referralCode", 64), z.null()], { error: "referralCode must be a string or null" })
      .meta({ description: "Recorded in the client profile; the key is required, the value may be null" }),
    agreed: z.literal(true, { error: "agreed must be true: the client must accept the terms of use" }),
    birthDate: birthDateSchema,
    postalCode: text("postalCode", 20).optional(),
    state: text("state", 100).optional(),
    address1: text("address1", 200).optional(),
    address2: text("address2", 200).optional(),
    verificationStatus: verificationStatusSchema.optional().meta({ description: "Master API key only" }),
    verificationLevel: verificationLevelOnTheWire
      .optional()
      .meta({ description: 'Master API key only; 0–5, as a number or a string ("3")' }),
    clientIp: z
      .union([z.ipv4(), z.ipv6()], { error: "clientIp must be an IPv4 or IPv6 address" })
      .optional()
      .meta({ description: "Master API key only: the end user's IP, for the per-IP quota" }),
  })
  .meta({ id: "WhiteLabelRegistrationRequest" });
export type WhiteLabelRegistrationInput = z.infer<typeof whiteLabelRegistrationSchema>;

/**
 * Back office "Register client": the white-label fields (master-key powers
 * included) plus the partner staff act for. It lives here rather than next to
 * the service so the browser form can import it without pulling in the
 * database. clientIp is left out: it only feeds the quotas, which staff skip.
 */
export const backOfficeRegistrationSchema = whiteLabelRegistrationSchema
  .omit({ clientIp: true })
  .extend({ partnerId: partnerIdSchema });

export const whiteLabelLoginSchema = z
  .object({ username: emailSchema, password: z.string().min(1, "password is required").max(256) })
  .meta({ id: "WhiteLabelLoginRequest" });

/** RFC 6749 §3.3: space-separated scopes; the token endpoint refuses one it does not know (invalid_scope). */
const tokenScopeSchema = z
  .string({ error: "scope must be a string of space-separated scopes" })
  .max(1000, "scope must be at most 1000 characters")
  .optional()
  .meta({
    description:
      "Optional, space-separated. Every scope named must be one the API knows; the token carries all of the client's scopes either way.",
  });

export const partnerTokenRequestSchema = z
  .discriminatedUnion(
    "grant_type",
    [
      z.object({
        grant_type: z.literal("refresh_token"),
        refresh_token: z.string().min(1, "refresh_token is required").max(512),
        scope: tokenScopeSchema,
      }),
      z.object({
        grant_type: z.literal("password"),
        username: emailSchema,
        password: z.string().min(1, "password is required").max(256),
        partnerId: partnerIdSchema.optional(),
        scope: tokenScopeSchema,
      }),
    ],
    { error: 'grant_type must be "refresh_token" or "password"' },
  )
  .meta({ id: "PartnerTokenRequest" });

export const refreshRequestSchema = z
  .object({
    refresh_token: z.string({ error: "refresh_token is required" }).min(1, "refresh_token is required").max(512),
  })
  .meta({ id: "RefreshRequest" });

export const emailConfirmationSchema = z
  .union(
    [
      z.object({ token: z.string().min(10).max(200) }),
      z.object({ clientId: z.uuid("clientId must be a UUID"), code: confirmationCodeSchema }),
    ],
    { error: "Send either {token} from the link or {clientId, code} from the email" },
  )
  .meta({ id: "EmailConfirmationRequest" });

/** The back office's queue of everything waiting for an emailed code: partner-API registrations and unconfirmed white-label emails. */
const pendingKindSchema = z.enum(["registration", "email"]);
export type PendingKind = z.infer<typeof pendingKindSchema>;

export const pendingListSchema = z.object({
  partnerId: partnerIdSchema.optional(),
  kind: pendingKindSchema.optional(),
  includeExpired: z.boolean().default(false),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const pendingTargetSchema = z.object({ kind: pendingKindSchema, id: z.uuid("id must be a UUID") });

/** Password reset, step 1 (both flavours): the address to send a code and link to. */
export const passwordForgotSchema = z.object({ email: emailSchema }).meta({ id: "PasswordForgotRequest" });

const resetCodeSchema = z
  .string({ error: "code must be a string of digits" })
  .trim()
  .regex(/^[0-9]{4,8}$/, "code must be the digits from the email")
  .meta({ example: "482913" });

const resetTokenSchema = z
  .string({ error: "token must be a string" })
  .min(10, "token must be the one from the link")
  .max(200, "token must be the one from the link")
  .meta({ description: "The `token` query parameter of the emailed link, instead of `email` and `code`" });

/**
 * Password reset, step 2: the emailed code with the address, or the link's
 * token, and the new password under the flavour's policy. One object rather
 * than a union, so a weak password is named as the `password` field.
 */
function passwordResetSchema(password: z.ZodType<string>, id: string) {
  return z
    .object({
      email: emailSchema.optional(),
      code: resetCodeSchema.optional(),
      token: resetTokenSchema.optional(),
      password,
    })
    .superRefine((v, ctx) => {
      if (v.token !== undefined) {
        if (v.email !== undefined || v.code !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["token"],
            message: "Send either email and code, or the link's token, not both",
          });
        return;
      }
      if (v.email === undefined)
        ctx.addIssue({ code: "custom", path: ["email"], message: "Email is required (or the link's token)" });
      if (v.code === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["code"],
          message: "code is required: the digits from the email (or the link's token)",
        });
    })
    .meta({ id });
}

export const partnerPasswordResetSchema = passwordResetSchema(partnerPasswordSchema, "PartnerPasswordResetRequest");
export const whiteLabelPasswordResetSchema = passwordResetSchema(
  whiteLabelPasswordSchema,
  "WhiteLabelPasswordResetRequest",
);
export type PasswordResetInput = z.infer<typeof partnerPasswordResetSchema>;

/** Back office "Send password reset": the client, nothing else (staff never see or set a password). */
export const sendPasswordResetSchema = z.object({ clientId: z.uuid("clientId must be a client id") });
