import { clientIdSchema } from "../../clients/schemas";
import { decideVerification, getVerificationHistory, listReviewQueue } from "../../kyc/review";
import { decisionSchema, reviewQueueFiltersSchema } from "../../kyc/schemas";
import { operationsProcedure, router, staffActor, staffProcedure } from "../trpc";

export const kycRouter = router({
  queue: staffProcedure.input(reviewQueueFiltersSchema).query(({ ctx, input }) => listReviewQueue(ctx.scope, input)),
  get: staffProcedure.input(clientIdSchema).query(({ ctx, input }) => getVerificationHistory(ctx.scope, input.id)),
  decide: operationsProcedure
    .input(decisionSchema)
    .mutation(({ ctx, input }) => decideVerification({ scope: ctx.scope, input, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
});
