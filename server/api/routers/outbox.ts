import { emailBacklog, getOutboxMessage, listOutbox, mailDelivery, retryOutboxEmail } from "../../mail/admin";
import { outboxListSchema, outboxTargetSchema } from "../../mail/schemas";
import { operationsProcedure, router } from "../trpc";

export const outboxRouter = router({
  list: operationsProcedure.input(outboxListSchema).query(({ ctx, input }) => listOutbox(ctx.caller, input)),
  get: operationsProcedure.input(outboxTargetSchema).query(({ ctx, input }) => getOutboxMessage(ctx.caller, input)),
  /** Whether mail leaves this server (SMTP_URL is set) or waits in the outbox as the development mailbox. */
  delivery: operationsProcedure.query(({ ctx }) => mailDelivery(ctx.caller)),
  retry: operationsProcedure
    .input(outboxTargetSchema)
    .mutation(({ ctx, input }) => retryOutboxEmail(ctx.caller, input)),
  /** How many emails wait, fail and were given up; the Outbox page shows it beside the webhook backlog. */
  backlog: operationsProcedure.query(({ ctx }) => emailBacklog(ctx.caller)),
});
