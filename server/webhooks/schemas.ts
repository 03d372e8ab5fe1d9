import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "../../db/enums";
import { partnerTargetSchema } from "../partners/schemas";

/**
 * Webhook endpoint inputs. Whether a URL may be called (https, a public
 * address) depends on configuration, so the service checks it
 * (destinationProblem); the shape is checked here.
 */

export const MAX_ENDPOINTS_PER_PARTNER = 5;
/** Every event type an endpoint may subscribe to, for the forms. */
export { WEBHOOK_EVENT_TYPES };
const MAX_URL_LENGTH = 2048;

const endpointIdSchema = z.uuid({ error: "endpointId must be an endpoint's id" });

const urlSchema = z
  .string({ error: "URL is required" })
  .trim()
  .min(1, "URL is required")
  .max(MAX_URL_LENGTH, `The URL must be at most ${MAX_URL_LENGTH} characters`)
  .refine((u) => URL.canParse(u), "Enter a full URL, such as https://api.example.com/webhooks");

/** The types an endpoint receives; none listed means every type, including ones added later. */
const eventTypesSchema = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `Event types are among ${WEBHOOK_EVENT_TYPES.join(", ")}` }), {
    error: "Event types must be a list",
  })
  .max(WEBHOOK_EVENT_TYPES.length, "List each event type once")
  .transform((types) => [...new Set(types)].sort());

export const addEndpointSchema = partnerTargetSchema.extend({
  url: urlSchema,
  eventTypes: eventTypesSchema.default([]),
});
export type AddEndpointInput = z.input<typeof addEndpointSchema>;

export const endpointTargetSchema = z.object({ endpointId: endpointIdSchema });
export type EndpointTarget = z.input<typeof endpointTargetSchema>;

/** A partial change: only what is sent is changed. */
export const updateEndpointSchema = z.object({
  endpointId: endpointIdSchema,
  url: urlSchema.optional(),
  eventTypes: eventTypesSchema.optional(),
  enabled: z.boolean({ error: "enabled must be true or false" }).optional(),
});
export type UpdateEndpointInput = z.input<typeof updateEndpointSchema>;

export const deliveryListSchema = z.object({
  endpointId: endpointIdSchema,
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export type DeliveryListInput = z.input<typeof deliveryListSchema>;

/** A message's id is its webhook-id: msg_ and 32 hex digits. */
export const MESSAGE_ID = /^msg_[0-9a-f]{32}$/;
export const messageTargetSchema = z.object({
  messageId: z.string().regex(MESSAGE_ID, "messageId must be a webhook message's id (msg_…)"),
});
export type MessageTarget = z.input<typeof messageTargetSchema>;
