import { getOutboxMessage, listOutbox, mailDelivery, retryOutboxEmail } from "../../mail/admin";
import { outboxListSchema, outboxTargetSchema } from "../../mail/schemas";
import { operationsProcedure, router, staffActor } from "../trpc";

export const outboxRouter = router({
  list: operationsProcedure.input(outboxListSchema).query(({ input }) => listOutbox(input)),
  get: operationsProcedure.input(outboxTargetSchema).query(({ input }) => getOutboxMessage(input.id)),
  /** Whether mail leaves this server (SMTP_URL is set) or waits in the outbox as the development mailbox. */
  delivery: operationsProcedure.query(() => mailDelivery()),
  retry: operationsProcedure.input(outboxTargetSchema).mutation(({ ctx, input }) => retryOutboxEmail({ id: input.id, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
});
