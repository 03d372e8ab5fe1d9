import { callerAs } from "@/server/caller";
import { listSubscriptions, startSubscription } from "@/server/billing/client-billing";
import { runIdempotent } from "@/server/billing/idempotency";
import { startSubscriptionSchema } from "@/server/billing/schemas";
import { idempotentJson, json, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

export const GET = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const caller = callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId });
  return json(await listSubscriptions(caller));
});

export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const caller = callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId });
  const input = await ctx.body(startSubscriptionSchema);
  const result = await runIdempotent(
    { clientId: client.id, key: ctx.header("idempotency-key"), method: "POST", path: ctx.path, body: input },
    async (tx) => ({
      status: 201,
      body: await startSubscription(tx, caller, input),
    }),
  );
  return idempotentJson(result);
});

export { OPTIONS } from "@/server/http/preflight";
