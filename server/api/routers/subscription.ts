import { cancelSubscriptionForStaff, listSubscriptionsForStaff } from "../../billing/back-office";
import { staffCancelSubscriptionSchema, subscriptionListInputSchema } from "../../billing/schemas";
import { operationsProcedure, router, staffActor } from "../trpc";

/** Subscriptions of every partner: operations' and admins'. */
export const subscriptionRouter = router({
  list: operationsProcedure.input(subscriptionListInputSchema).query(({ ctx, input }) => listSubscriptionsForStaff({ scope: ctx.scope, input })),
  cancel: operationsProcedure
    .input(staffCancelSubscriptionSchema)
    .mutation(({ ctx, input }) => cancelSubscriptionForStaff({ scope: ctx.scope, actor: staffActor(ctx), input, ip: ctx.ip, requestId: ctx.requestId })),
});
