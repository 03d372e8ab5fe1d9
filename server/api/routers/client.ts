import { changeClientState, changeClientVerification, revokeClientSession } from "../../clients/admin";
import { getClientDetail } from "../../clients/detail";
import { cancelBulkOperation, getBulkOperation, listBulkOperations, startBulkOperation } from "../../clients/bulk";
import {
  bulkOperationIdSchema,
  bulkOperationViewSchema,
  listBulkOperationsSchema,
  startBulkSchema,
} from "../../clients/bulk-schemas";
import { countClients, listClients } from "../../clients/list";
import { sendPasswordReset } from "../../registration/password-reset";
import {
  changeStateSchema,
  changeVerificationSchema,
  clientFiltersSchema,
  clientIdSchema,
  clientListInputSchema,
  revokeSessionSchema,
} from "../../clients/schemas";
import { sendPasswordResetSchema } from "../../registration/schemas";
import { operationsProcedure, router, staffProcedure } from "../trpc";

export const clientRouter = router({
  list: staffProcedure.input(clientListInputSchema).query(({ ctx, input }) => listClients(ctx.caller, input)),
  get: staffProcedure.input(clientIdSchema).query(({ ctx, input }) => getClientDetail(ctx.caller, input)),
  setState: operationsProcedure
    .input(changeStateSchema)
    .mutation(({ ctx, input }) => changeClientState(ctx.caller, input)),
  setVerification: operationsProcedure
    .input(changeVerificationSchema)
    .mutation(({ ctx, input }) => changeClientVerification(ctx.caller, input)),
  revokeSession: operationsProcedure
    .input(revokeSessionSchema)
    .mutation(({ ctx, input }) => revokeClientSession(ctx.caller, input)),
  sendPasswordReset: operationsProcedure
    .input(sendPasswordResetSchema)
    .mutation(({ ctx, input }) => sendPasswordReset(ctx.caller, input)),
  /** How many clients the filters match: asked for by "select all matching", never with every page. */
  count: staffProcedure.input(clientFiltersSchema).query(({ ctx, input }) => countClients(ctx.caller, input)),
  bulk: operationsProcedure.input(startBulkSchema).mutation(({ ctx, input }) => startBulkOperation(ctx.caller, input)),
  bulkCancel: operationsProcedure
    .input(bulkOperationIdSchema)
    .mutation(({ ctx, input }) => cancelBulkOperation(ctx.caller, input)),
  bulkGet: operationsProcedure
    .input(bulkOperationViewSchema)
    .query(({ ctx, input }) => getBulkOperation(ctx.caller, input)),
  bulkList: operationsProcedure
    .input(listBulkOperationsSchema)
    .query(({ ctx, input }) => listBulkOperations(ctx.caller, input)),
});
