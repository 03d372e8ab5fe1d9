import { clientIdSchema } from "../../clients/schemas";
import { decideVerification, getVerificationHistory, listReviewQueue } from "../../kyc/review";
import { decisionSchema, reviewQueueFiltersSchema } from "../../kyc/schemas";
import { operationsProcedure, router, staffProcedure } from "../trpc";

export const kycRouter = router({
  queue: staffProcedure.input(reviewQueueFiltersSchema).query(({ ctx, input }) => listReviewQueue(ctx.caller, input)),
  get: staffProcedure.input(clientIdSchema).query(({ ctx, input }) => getVerificationHistory(ctx.caller, input)),
  decide: operationsProcedure.input(decisionSchema).mutation(({ ctx, input }) => decideVerification(ctx.caller, input)),
});
