import { getOutboxMessage, listOutbox, retryOutboxEmail } from "../../mail/admin";
import { outboxListSchema, outboxTargetSchema } from "../../mail/schemas";
import { operationsProcedure, router, staffActor } from "../trpc";

export const outboxRouter = router({
  list: operationsProcedure.input(outboxListSchema).query(({ input }) => listOutbox(input)),
  get: operationsProcedure.input(outboxTargetSchema).query(({ input }) => getOutboxMessage(input.id)),
  retry: operationsProcedure.input(outboxTargetSchema).mutation(({ ctx, input }) => retryOutboxEmail({ id: input.id, actor: staffActor(ctx), ip: ctx.ip, requestId: ctx.requestId })),
});
