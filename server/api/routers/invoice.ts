import { listInvoicesForStaff, voidInvoice } from "../../billing/back-office";
import { invoiceListInputSchema, voidInvoiceSchema } from "../../billing/schemas";
import { operationsProcedure, router, staffActor } from "../trpc";

/** Invoices of every partner: operations' and admins'. */
export const invoiceRouter = router({
  list: operationsProcedure.input(invoiceListInputSchema).query(({ ctx, input }) => listInvoicesForStaff({ scope: ctx.scope, input })),
  void: operationsProcedure.input(voidInvoiceSchema).mutation(({ ctx, input }) => voidInvoice({ scope: ctx.scope, actor: staffActor(ctx), input, ip: ctx.ip, requestId: ctx.requestId })),
});
