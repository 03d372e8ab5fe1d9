import { cancelSubscription } from "@/server/billing/client-billing";
import { runIdempotent } from "@/server/billing/idempotency";
import { idempotentJson, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const subscriptionId = ctx.params.subscriptionId ?? "";
  const result = await runIdempotent({ clientId: client.id, key: ctx.header("idempotency-key"), method: "POST", path: ctx.path, body: {} }, async (tx) => ({
    status: 200,
    body: await cancelSubscription(tx, { client, subscriptionId, ip: ctx.ip, requestId: ctx.requestId }),
  }));
  return idempotentJson(result);
});
