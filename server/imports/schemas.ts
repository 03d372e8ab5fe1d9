import { z } from "zod";
import { partnerIdSchema } from "../partners/schemas";

/** Input of the import services, for the back office's procedures and upload route and for the CLI. */

/** Data rows a file may have (the header not counted). */
export const MAX_IMPORT_ROWS = 100_000;

const jobIdSchema = z.uuid("jobId must be an import job's id");

export const stageImportSchema = z.object({
  partnerId: partnerIdSchema,
  fileName: z.string().trim().max(255, "fileName must be at most 255 characters").nullable().default(null),
});

export const importJobTargetSchema = z.object({ jobId: jobIdSchema });
export type ImportJobTarget = z.infer<typeof importJobTargetSchema>;

export const startImportSchema = z.object({
  jobId: jobIdSchema,
  sendEmails: z.boolean().default(false),
  sendWebhooks: z.boolean().default(false),
});
export type StartImportInput = z.infer<typeof startImportSchema>;

export const listImportJobsSchema = z.object({
  partnerId: partnerIdSchema.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const invalidRowsSchema = z.object({
  jobId: jobIdSchema,
  limit: z.number().int().min(1).max(500).default(20),
});
export type InvalidRowsInput = z.input<typeof invalidRowsSchema>;
