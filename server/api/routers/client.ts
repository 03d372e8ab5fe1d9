import { changeClientState, changeClientVerification, revokeClientSession } from "../../clients/admin";
import { getClientDetail } from "../../clients/detail";
import { listClients } from "../../clients/list";
import { sendPasswordReset } from "../../registration/password-reset";
import { changeStateSchema, changeVerificationSchema, clientIdSchema, clientListInputSchema, revokeSessionSchema } from "../../clients/schemas";
import { sendPasswordResetSchema } from "../../registration/schemas";
import { operationsProcedure, router, staffActor, staffProcedure } from "../trpc";

export const clientRouter = router({
  list: staffProcedure.input(clientListInputSchema).query(({ ctx, input }) => listClients({ scope: ctx.scope, input })),
  get: staffProcedure.input(clientIdSchema).query(({ ctx, input }) => getClientDetail({ scope: ctx.scope, clientId: input.id })),
  setState: operationsProcedure
    .input(changeStateSchema)
    .mutation(({ ctx, input }) => changeClientState({ scope: ctx.scope, input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  setVerification: operationsProcedure
    .input(changeVerificationSchema)
    .mutation(({ ctx, input }) => changeClientVerification({ scope: ctx.scope, input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  revokeSession: operationsProcedure
    .input(revokeSessionSchema)
    .mutation(({ ctx, input }) => revokeClientSession({ scope: ctx.scope, input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
  sendPasswordReset: operationsProcedure.input(sendPasswordResetSchema).mutation(({ ctx, input }) => sendPasswordReset(ctx.caller, input)),
});
