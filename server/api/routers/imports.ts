import { cancelImport, startImport } from "../../imports/control";
import {
  importJobTargetSchema,
  invalidRowsSchema,
  listImportJobsSchema,
  startImportSchema,
} from "../../imports/schemas";
import { getImportJob, invalidRows, listImportJobs } from "../../imports/views";
import { operationsProcedure, router } from "../trpc";

/**
 * The Import clients page: jobs, their dry run's invalid rows, start and
 * cancel. The file itself arrives through POST /api/imports (a stream, which
 * a procedure call is not).
 */
export const importRouter = router({
  list: operationsProcedure
    .input(listImportJobsSchema.optional())
    .query(({ ctx, input }) => listImportJobs(ctx.caller, input ?? {})),
  get: operationsProcedure.input(importJobTargetSchema).query(({ ctx, input }) => getImportJob(ctx.caller, input)),
  invalidRows: operationsProcedure.input(invalidRowsSchema).query(({ ctx, input }) => invalidRows(ctx.caller, input)),
  start: operationsProcedure.input(startImportSchema).mutation(({ ctx, input }) => startImport(ctx.caller, input)),
  cancel: operationsProcedure
    .input(importJobTargetSchema)
    .mutation(({ ctx, input }) => cancelImport(ctx.caller, input)),
});
