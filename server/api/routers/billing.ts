import { cancelSubscriptionForStaff, creditSandboxAccount, getClientBillingForStaff, listInvoicesForStaff, listSubscriptionsForStaff, voidInvoice } from "../../billing/back-office";
import { clientBillingTargetSchema, creditAccountSchema, invoiceListInputSchema, staffCancelSubscriptionSchema, subscriptionListInputSchema, voidInvoiceSchema } from "../../billing/schemas";
import { checkedInput } from "../checked-input";
import { operationsProcedure, router, staffActor, staffProcedure } from "../trpc";

/** Subscriptions & invoices are operations' and admins'; every role reads the billing of a client it may see. */
export const billingRouter = router({
  subscriptions: operationsProcedure.input(subscriptionListInputSchema).query(({ ctx, input }) => listSubscriptionsForStaff({ scope: ctx.scope, input })),
  invoices: operationsProcedure.input(invoiceListInputSchema).query(({ ctx, input }) => listInvoicesForStaff({ scope: ctx.scope, input })),
  clientBilling: staffProcedure.input(clientBillingTargetSchema).query(({ ctx, input }) => getClientBillingForStaff({ scope: ctx.scope, clientId: input.clientId })),
  voidInvoice: operationsProcedure
    .input(voidInvoiceSchema)
    .mutation(({ ctx, input }) => voidInvoice({ scope: ctx.scope, actor: staffActor(ctx), input, ip: ctx.ip, requestId: ctx.requestId })),
  cancelSubscription: operationsProcedure
    .input(staffCancelSubscriptionSchema)
    .mutation(({ ctx, input }) => cancelSubscriptionForStaff({ scope: ctx.scope, actor: staffActor(ctx), input, ip: ctx.ip, requestId: ctx.requestId })),
  credit: operationsProcedure
    .input(checkedInput(creditAccountSchema))
    .mutation(({ ctx, input }) => creditSandboxAccount({ scope: ctx.scope, actor: staffActor(ctx), input, ip: ctx.ip, requestId: ctx.requestId })),
});
