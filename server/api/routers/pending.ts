import { cancelPendingConfirmation, resendPendingConfirmation } from "../../registration/pending-actions";
import { listPendingConfirmations } from "../../registration/pending-list";
import { pendingListSchema, pendingTargetSchema } from "../../registration/schemas";
import { operationsProcedure, router, staffProcedure } from "../trpc";

export const pendingRouter = router({
  list: staffProcedure.input(pendingListSchema).query(({ ctx, input: { cursor, limit, ...filter } }) => listPendingConfirmations({ scope: ctx.scope, filter, cursor, limit })),
  resend: operationsProcedure.input(pendingTargetSchema).mutation(({ ctx, input }) => resendPendingConfirmation({ scope: ctx.scope, ...input, staff: ctx.staff, ip: ctx.ip, requestId: ctx.requestId })),
  cancel: operationsProcedure.input(pendingTargetSchema).mutation(({ ctx, input }) => cancelPendingConfirmation({ scope: ctx.scope, ...input, staff: ctx.staff, ip: ctx.ip, requestId: ctx.requestId })),
});
