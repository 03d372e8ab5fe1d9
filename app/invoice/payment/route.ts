import { callerAs } from "@/server/caller";
import { getOrCreatePayment } from "@/server/billing/client-billing";
import { runIdempotent } from "@/server/billing/idempotency";
import { paymentRequestSchema } from "@/server/billing/schemas";
import { idempotentJson, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

/** "Payment Get or Create": 201 when this call created the payment, 200 when it existed. */
export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const caller = callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId });
  const input = await ctx.body(paymentRequestSchema);
  const result = await runIdempotent(
    { clientId: client.id, key: ctx.header("idempotency-key"), method: "POST", path: ctx.path, body: input },
    async (tx) => {
      const { payment, created } = await getOrCreatePayment(tx, caller, input);
      return { status: created ? 201 : 200, body: payment };
    },
  );
  return idempotentJson(result);
});

export { OPTIONS } from "@/server/http/preflight";
