import { z } from "zod";
import { BULK_ACTIONS } from "../../db/enums";
import { timeKeySchema } from "../keyset";
import { clientFiltersSchema } from "./schemas";

/** The most clients a picked selection may name; more are chosen with "select all matching" and run as a job. */
export const MAX_PICKED_CLIENTS = 500;

/** The actions that change a client's state, each of which needs a reason. */
export const STATE_ACTIONS = { block: "blocked", suspend: "suspended", reactivate: "active" } as const;
const needsReason = (action: string) => action in STATE_ACTIONS;

const pickedClientSchema = z.object({
  id: z.uuid("Each selected client must be a client id"),
  /** The client's updated_at as the list showed it (UTC, to the microsecond): the version staff acted on. */
  updatedAt: z
    .string({ error: "updatedAt must be the value the list returned" })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/, "updatedAt must be the value the list returned")
    .pipe(timeKeySchema),
});

/**
 * Which clients: the rows picked on the list (each with the version seen),
 * or every client matching the list's filters when the action starts.
 */
const selectionSchema = z
  .object({
    clientIds: z
      .array(pickedClientSchema, { error: "clientIds must be a list of clients" })
      .min(1, "Select at least one client")
      .max(MAX_PICKED_CLIENTS, `Pick at most ${MAX_PICKED_CLIENTS} clients, or select all matching the filters`)
      .optional(),
    filter: clientFiltersSchema.optional(),
  })
  .refine((s) => (s.clientIds === undefined) !== (s.filter === undefined), {
    message: "Give either the picked clients or the filter, not both",
    path: ["clientIds"],
  });

export const startBulkSchema = z
  .object({
    action: z.enum(BULK_ACTIONS, { error: `action must be one of ${BULK_ACTIONS.join(", ")}` }),
    reason: z.string().trim().max(500, "The reason must be at most 500 characters").optional(),
    selection: selectionSchema,
  })
  .superRefine((input, ctx) => {
    if (needsReason(input.action) && (input.reason ?? "").length < 3)
      ctx.addIssue({ code: "custom", path: ["reason"], message: "Give a reason of at least 3 characters" });
  });
export type StartBulkInput = z.output<typeof startBulkSchema>;

export const bulkOperationIdSchema = z.object({ id: z.uuid("id must be a bulk operation id") });

export const bulkOperationViewSchema = bulkOperationIdSchema.extend({
  /** Items to show with the operation, in pages (skipped and failed first). */
  itemLimit: z.number().int().min(0).max(500).default(100),
});

export const listBulkOperationsSchema = z.object({ limit: z.number().int().min(1).max(50).default(10) });

/** The clients to export, picked on the list (the filter-wide export is GET /api/clients/export?filters). */
export const exportSelectionSchema = z.object({
  clientIds: z
    .array(z.uuid("Each selected client must be a client id"))
    .min(1, "Select at least one client")
    .max(MAX_PICKED_CLIENTS, `Pick at most ${MAX_PICKED_CLIENTS} clients, or export all matching the filters`),
});
