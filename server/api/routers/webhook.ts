import {
  listWebhookDeliveries,
  listWebhookEndpoints,
  addWebhookEndpoint,
  removeWebhookEndpoint,
  resendWebhookMessage,
  rotateWebhookSecret,
  sendTestWebhook,
  updateWebhookEndpoint,
  webhookBacklog,
} from "../../webhooks/endpoints";
import {
  addEndpointSchema,
  deliveryListSchema,
  endpointTargetSchema,
  messageTargetSchema,
  updateEndpointSchema,
} from "../../webhooks/schemas";
import { partnerTargetSchema } from "../../partners/schemas";
import { procedureFor, router } from "../trpc";

/**
 * A partner's webhook endpoints and their delivery logs: managed, like its
 * master keys, by the partner's KAM and by admins (decision 0020). Operations
 * staff do not manage partners' integrations; they see the backlog on the
 * Outbox page.
 */
const managerProcedure = procedureFor("admin", "kam");
const outboxProcedure = procedureFor("admin", "operations");

export const webhookRouter = router({
  list: managerProcedure.input(partnerTargetSchema).query(({ ctx, input }) => listWebhookEndpoints(ctx.caller, input)),
  add: managerProcedure.input(addEndpointSchema).mutation(({ ctx, input }) => addWebhookEndpoint(ctx.caller, input)),
  update: managerProcedure
    .input(updateEndpointSchema)
    .mutation(({ ctx, input }) => updateWebhookEndpoint(ctx.caller, input)),
  rotate: managerProcedure
    .input(endpointTargetSchema)
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.caller, input)),
  remove: managerProcedure
    .input(endpointTargetSchema)
    .mutation(({ ctx, input }) => removeWebhookEndpoint(ctx.caller, input)),
  deliveries: managerProcedure
    .input(deliveryListSchema)
    .query(({ ctx, input }) => listWebhookDeliveries(ctx.caller, input)),
  resend: managerProcedure
    .input(messageTargetSchema)
    .mutation(({ ctx, input }) => resendWebhookMessage(ctx.caller, input)),
  test: managerProcedure.input(endpointTargetSchema).mutation(({ ctx, input }) => sendTestWebhook(ctx.caller, input)),
  backlog: outboxProcedure.query(({ ctx }) => webhookBacklog(ctx.caller)),
});
