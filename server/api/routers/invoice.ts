import { listInvoicesForStaff, voidInvoice } from "../../billing/back-office";
import { invoiceListInputSchema, voidInvoiceSchema } from "../../billing/schemas";
import { operationsProcedure, router } from "../trpc";

/** Invoices of every partner: operations' and admins'. */
export const invoiceRouter = router({
  list: operationsProcedure
    .input(invoiceListInputSchema)
    .query(({ ctx, input }) => listInvoicesForStaff(ctx.caller, input)),
  void: operationsProcedure.input(voidInvoiceSchema).mutation(({ ctx, input }) => voidInvoice(ctx.caller, input)),
});
