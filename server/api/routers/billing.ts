import { creditSandboxAccount, getClientBillingForStaff } from "../../billing/back-office";
import { clientBillingTargetSchema, creditAccountSchema } from "../../billing/schemas";
import { operationsProcedure, router, staffProcedure } from "../trpc";

/** One client's billing: every role reads it for a client it may see; crediting a sandbox account is operations' and admins'. */
export const billingRouter = router({
  get: staffProcedure
    .input(clientBillingTargetSchema)
    .query(({ ctx, input }) => getClientBillingForStaff(ctx.caller, input)),
  credit: operationsProcedure
    .input(creditAccountSchema)
    .mutation(({ ctx, input }) => creditSandboxAccount(ctx.caller, input)),
});
