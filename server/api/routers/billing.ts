import { creditSandboxAccount, getClientBillingForStaff } from "../../billing/back-office";
import { clientBillingTargetSchema, creditAccountSchema } from "../../billing/schemas";
import { checkedInput } from "../checked-input";
import { operationsProcedure, router, staffActor, staffProcedure } from "../trpc";

/** One client's billing: every role reads it for a client it may see; crediting a sandbox account is operations' and admins'. */
export const billingRouter = router({
  get: staffProcedure.input(clientBillingTargetSchema).query(({ ctx, input }) => getClientBillingForStaff({ scope: ctx.scope, clientId: input.clientId })),
  credit: operationsProcedure
    .input(checkedInput(creditAccountSchema))
    .mutation(({ ctx, input }) => creditSandboxAccount({ scope: ctx.scope, actor: staffActor(ctx), input, ip: ctx.ip, requestId: ctx.requestId })),
});
