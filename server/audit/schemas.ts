import { z } from "zod";
import { ACTOR_TYPES } from "../../db/enums";

/** Audit log schemas, free of server-only imports so the Audit log page validates with them too. */

const auditActorTypeSchema = z.enum(ACTOR_TYPES, {
  error: "actorType must be staff, api_key, client, system or anonymous",
});
export type AuditActorType = z.infer<typeof auditActorTypeSchema>;

const day = (label: string) => z.iso.date(`${label} must be a date in the form YYYY-MM-DD`);
const text = (label: string, max: number) =>
  z.string().trim().min(1, `${label} must not be empty`).max(max, `${label} must be at most ${max} characters`);

/**
 * The filters of the audit log, shared by the list, the CSV export (whose
 * values arrive as query-string text, hence the coercion) and the page's URL.
 * The action and entity match exactly; dates are whole UTC days, both ends
 * inclusive. An actor id or entity id needs its type: the indexes lead with it.
 */
export const auditFiltersSchema = z
  .object({
    actorType: auditActorTypeSchema.optional(),
    actorId: text("actorId", 100).optional(),
    action: text("action", 100).optional(),
    partnerId: z.coerce
      .number<number | string>()
      .int("partnerId must be a whole number")
      .positive("partnerId must be a whole number")
      .max(2_147_483_647)
      .optional(),
    entityType: text("entityType", 50).optional(),
    entityId: text("entityId", 100).optional(),
    from: day("from").optional(),
    to: day("to").optional(),
  })
  .refine((f) => !f.actorId || f.actorType, { path: ["actorType"], message: "Choose the actor type for this actor id" })
  .refine((f) => !f.entityId || f.entityType, {
    path: ["entityType"],
    message: "Choose the entity type for this entity id",
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ["to"], message: "to must not be before from" });
export type AuditFilters = z.output<typeof auditFiltersSchema>;
export type AuditFiltersInput = z.input<typeof auditFiltersSchema>;

export const auditListInputSchema = auditFiltersSchema.safeExtend({
  /** Opaque: the time and id of the last event of the previous page. */
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type AuditListInput = z.output<typeof auditListInputSchema>;

/** The filter names, in the order they appear in URLs. */
export const AUDIT_FILTER_KEYS = [
  "actorType",
  "actorId",
  "action",
  "partnerId",
  "entityType",
  "entityId",
  "from",
  "to",
] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

/** Query-string parameters to raw filter values: empty and unknown parameters are dropped. */
export function auditFilterParamsOf(params: URLSearchParams): Partial<Record<AuditFilterKey, string>> {
  const out: Partial<Record<AuditFilterKey, string>> = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) out[key] = value;
  }
  return out;
}
