import { getOrCreatePayment } from "@/server/billing/client-billing";
import { runIdempotent } from "@/server/billing/idempotency";
import { paymentRequestSchema } from "@/server/billing/schemas";
import { idempotentJson, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

/** "Payment Get or Create": 201 when this call created the payment, 200 when it existed. */
export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const input = await ctx.body(paymentRequestSchema);
  const result = await runIdempotent({ clientId: client.id, key: ctx.header("idempotency-key"), method: "POST", path: ctx.path, body: input }, async (tx) => {
    const { payment, created } = await getOrCreatePayment(tx, { client, input, ip: ctx.ip, requestId: ctx.requestId });
    return { status: created ? 201 : 200, body: payment };
  });
  return idempotentJson(result);
});
