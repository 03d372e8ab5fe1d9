import { z } from "zod";

/** Partner schemas, free of server-only imports so the Partners pages validate with them too. */

const USER_TYPE_PATTERN = /^[A-Z][A-Z0-9_]{1,31}$/;

const wholeNumber = (label: string, max: number) =>
  z
    .number({ error: `${label} must be a whole number` })
    .int(`${label} must be a whole number`)
    .min(0, `${label} must be 0 (off) or more`)
    .max(max, `${label} must be at most ${max.toLocaleString("en")}`);

/** Each setting's rule, without defaults: shared by creation (which adds them) and partial updates (which must not). */
const settingFields = {
  name: z
    .string({ error: "Name is required" })
    .trim()
    .min(2, "Name must be at least 2 characters")
    .max(120, "Name must be at most 120 characters"),
  sandbox: z.boolean({ error: "sandbox must be true or false" }),
  captchaRequired: z.boolean({ error: "captchaRequired must be true or false" }),
  quotaPerIpHour: wholeNumber("The per-IP hourly quota", 1_000_000),
  quotaTotalHour: wholeNumber("The total hourly quota", 10_000_000),
  allowedUserTypes: z
    .array(z.string().regex(USER_TYPE_PATTERN, "User types are upper-case words such as CUSTOMER"), {
      error: "Allowed user types must be a list",
    })
    .min(1, "Allow at least one user type")
    .max(20, "Allow at most 20 user types")
    .refine((types) => new Set(types).size === types.length, "List each user type once"),
  defaultCurrency: z
    .string({ error: "Currency is required" })
    .regex(/^[A-Z]{3}$/, "Currency is an ISO 4217 code such as EUR"),
  kycApprovedLevel: z
    .number({ error: "The KYC approved level must be a whole number from 0 to 5" })
    .int("The KYC approved level must be a whole number from 0 to 5")
    .min(0, "The KYC approved level must be a whole number from 0 to 5")
    .max(5, "The KYC approved level must be a whole number from 0 to 5"),
};

const partnerSettingsSchema = z.object({
  name: settingFields.name,
  sandbox: settingFields.sandbox.default(false),
  captchaRequired: settingFields.captchaRequired.default(false),
  quotaPerIpHour: settingFields.quotaPerIpHour.default(1),
  quotaTotalHour: settingFields.quotaTotalHour.default(50),
  allowedUserTypes: settingFields.allowedUserTypes.default(["CUSTOMER"]),
  defaultCurrency: settingFields.defaultCurrency.default("EUR"),
  kycApprovedLevel: settingFields.kycApprovedLevel.default(2),
});
export type PartnerSettingsInput = z.input<typeof partnerSettingsSchema>;
export type PartnerSettings = z.output<typeof partnerSettingsSchema>;
export const PARTNER_SETTING_KEYS = Object.keys(settingFields) as Array<keyof PartnerSettings>;

export const partnerIdSchema = z.coerce
  .number({ error: "partnerId must be a positive 32-bit integer" })
  .int("partnerId must be a positive 32-bit integer")
  .min(1, "partnerId must be a positive 32-bit integer")
  .max(2_147_483_647, "partnerId must be a positive 32-bit integer");

/** A partnerId from the back office, where it is always a number (no coercion from text). */
const partnerRefSchema = z
  .number({ error: "partnerId must be a positive 32-bit integer" })
  .int("partnerId must be a positive 32-bit integer")
  .min(1, "partnerId must be a positive 32-bit integer")
  .max(2_147_483_647, "partnerId must be a positive 32-bit integer");

export const partnerTargetSchema = z.object({ partnerId: partnerRefSchema });
export type PartnerTarget = z.output<typeof partnerTargetSchema>;

/** The back office's new partner: its settings, and (admins only) the KAM who will own it. */
export const createPartnerSchema = partnerSettingsSchema.extend({
  ownerStaffId: z.uuid("Choose a key account manager").nullish(),
});
export type CreatePartnerInput = z.input<typeof createPartnerSchema>;

/** Only the settings sent change; omitted ones keep their value (no defaults here). */
export const updatePartnerSchema = partnerTargetSchema.extend(z.object(settingFields).partial().shape);
export type UpdatePartnerInput = z.output<typeof updatePartnerSchema>;

const reasonSchema = z
  .string({ error: "Give a reason" })
  .trim()
  .min(3, "Give a reason of at least 3 characters")
  .max(500, "The reason must be at most 500 characters");

export const partnerStatusChangeSchema = partnerTargetSchema.extend({ reason: reasonSchema });
export type PartnerStatusChangeInput = z.output<typeof partnerStatusChangeSchema>;

export const reassignPartnerSchema = partnerTargetSchema.extend({
  ownerStaffId: z.uuid("Choose a key account manager"),
});
export type ReassignPartnerInput = z.output<typeof reassignPartnerSchema>;

const apiKeyNameSchema = z
  .string({ error: "Name the key" })
  .trim()
  .min(1, "Name the key, e.g. after the system that will use it")
  .max(80, "The name must be at most 80 characters");
export const createApiKeySchema = partnerTargetSchema.extend({ name: apiKeyNameSchema });
export type CreateApiKeyInput = z.output<typeof createApiKeySchema>;

export const apiKeyTargetSchema = z.object({ keyId: z.uuid("keyId must be an API key's id") });
export type ApiKeyTarget = z.output<typeof apiKeyTargetSchema>;
