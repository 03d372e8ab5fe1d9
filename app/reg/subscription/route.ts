import { listSubscriptions, startSubscription } from "@/server/billing/client-billing";
import { runIdempotent } from "@/server/billing/idempotency";
import { startSubscriptionSchema } from "@/server/billing/schemas";
import { idempotentJson, json, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

export const GET = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  return json(await listSubscriptions(client));
});

export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const input = await ctx.body(startSubscriptionSchema);
  const result = await runIdempotent({ clientId: client.id, key: ctx.header("idempotency-key"), method: "POST", path: ctx.path, body: input }, async (tx) => ({
    status: 201,
    body: await startSubscription(tx, { client, input, ip: ctx.ip, requestId: ctx.requestId }),
  }));
  return idempotentJson(result);
});
