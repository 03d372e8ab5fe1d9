import { changeClientState, changeClientVerification, revokeClientSession } from "../../clients/admin";
import { getClientDetail } from "../../clients/detail";
import { listClients } from "../../clients/list";
import { sendPasswordReset } from "../../registration/password-reset";
import {
  changeStateSchema,
  changeVerificationSchema,
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
});
