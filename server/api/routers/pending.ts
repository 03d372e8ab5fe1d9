import { cancelPendingConfirmation, resendPendingConfirmation } from "../../registration/pending-actions";
import { listPendingConfirmations } from "../../registration/pending-list";
import { pendingListSchema, pendingTargetSchema } from "../../registration/schemas";
import { operationsProcedure, router, staffProcedure } from "../trpc";

export const pendingRouter = router({
  list: staffProcedure.input(pendingListSchema).query(({ ctx, input }) => listPendingConfirmations(ctx.caller, input)),
  resend: operationsProcedure
    .input(pendingTargetSchema)
    .mutation(({ ctx, input }) => resendPendingConfirmation(ctx.caller, input)),
  cancel: operationsProcedure
    .input(pendingTargetSchema)
    .mutation(({ ctx, input }) => cancelPendingConfirmation(ctx.caller, input)),
});
