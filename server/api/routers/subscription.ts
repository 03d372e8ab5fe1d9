import { cancelSubscriptionForStaff, listSubscriptionsForStaff } from "../../billing/back-office";
import { staffCancelSubscriptionSchema, subscriptionListInputSchema } from "../../billing/schemas";
import { operationsProcedure, router } from "../trpc";

/** Subscriptions of every partner: operations' and admins'. */
export const subscriptionRouter = router({
  list: operationsProcedure
    .input(subscriptionListInputSchema)
    .query(({ ctx, input }) => listSubscriptionsForStaff(ctx.caller, input)),
  cancel: operationsProcedure
    .input(staffCancelSubscriptionSchema)
    .mutation(({ ctx, input }) => cancelSubscriptionForStaff(ctx.caller, input)),
});
