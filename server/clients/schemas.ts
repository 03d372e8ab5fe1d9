import { z } from "zod";
import { plainText } from "../plain-text";
import { countryCodeSchema, verificationLevelSchema, verificationStatusSchema } from "../registration/schemas";
import { CLIENT_STATES } from "../../db/enums";

const clientStateSchema = z.enum(CLIENT_STATES);
export type ClientState = z.infer<typeof clientStateSchema>;

const clientSortSchema = z.enum(["created_desc", "created_asc", "email_asc"]);
export type ClientSort = z.infer<typeof clientSortSchema>;

const day = (label: string) => z.iso.date(`${label} must be a date in the form YYYY-MM-DD`);

/**
 * The filters of the client list, shared by the list, the CSV export (whose
 * values arrive as query-string text, hence the coercions) and the page's URL.
 * Dates are whole UTC days, both ends inclusive.
 */
export const clientFiltersSchema = z
  .object({
    q: plainText().trim().max(200, "Search text must be at most 200 characters").optional(),
    partnerId: z.coerce
      .number<number | string>()
      .int("partnerId must be a whole number")
      .positive("partnerId must be a whole number")
      .max(2_147_483_647)
      .optional(),
    state: clientStateSchema.optional(),
    verificationStatus: verificationStatusSchema.optional(),
    verificationLevel: z.coerce.number<number | string>().pipe(verificationLevelSchema).optional(),
    countryCode: countryCodeSchema.optional(),
    createdFrom: day("createdFrom").optional(),
    createdTo: day("createdTo").optional(),
    sort: clientSortSchema.default("created_desc"),
  })
  .refine((f) => !f.createdFrom || !f.createdTo || f.createdFrom <= f.createdTo, {
    path: ["createdTo"],
    message: "createdTo must not be before createdFrom",
  });
export type ClientFilters = z.output<typeof clientFiltersSchema>;
export type ClientFiltersInput = z.input<typeof clientFiltersSchema>;

export const clientListInputSchema = clientFiltersSchema.safeExtend({
  /** Opaque: the sort key and id of the last row of the previous page. */
  cursor: z.string().max(1000).nullish(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type ClientListInput = z.output<typeof clientListInputSchema>;

export { filterParamsOf } from "./filter-params";

export const clientIdSchema = z.object({ id: z.uuid("id must be a client id") });
export type ClientTarget = z.output<typeof clientIdSchema>;

const reasonSchema = z
  .string({ error: "A reason is required" })
  .trim()
  .min(3, "Give a reason of at least 3 characters")
  .max(500, "The reason must be at most 500 characters");

export const changeStateSchema = z.object({
  clientId: z.uuid(),
  state: clientStateSchema,
  reason: reasonSchema,
});
export type ChangeStateInput = z.infer<typeof changeStateSchema>;

export const changeVerificationSchema = z.object({
  clientId: z.uuid(),
  verificationStatus: verificationStatusSchema,
  verificationLevel: verificationLevelSchema,
  reason: reasonSchema,
});
export type ChangeVerificationInput = z.infer<typeof changeVerificationSchema>;

/** Without familyId every session of the client ends. */
export const revokeSessionSchema = z.object({
  clientId: z.uuid(),
  familyId: z.uuid().optional(),
});
export type RevokeSessionInput = z.infer<typeof revokeSessionSchema>;
