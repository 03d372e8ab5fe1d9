import { callerAs } from "@/server/caller";
import { cancelSubscription } from "@/server/billing/client-billing";
import { runIdempotent } from "@/server/billing/idempotency";
import { subscriptionPathSchema } from "@/server/billing/schemas";
import { idempotentJson, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const caller = callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId });
  const input = subscriptionPathSchema.parse({ subscriptionId: ctx.params.subscriptionId ?? "" });
  const result = await runIdempotent(
    { clientId: client.id, key: ctx.header("idempotency-key"), method: "POST", path: ctx.path, body: {} },
    async (tx) => ({
      status: 200,
      body: await cancelSubscription(tx, caller, input),
    }),
  );
  return idempotentJson(result);
});

export { OPTIONS } from "@/server/http/preflight";
