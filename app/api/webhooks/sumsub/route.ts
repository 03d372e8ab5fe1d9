import { json, route } from "@/server/http/route";
import { handleSumsubWebhook } from "@/server/kyc/webhook";

/** Sumsub's user-verification webhooks; the digest is checked over the raw body. */
export const POST = route(async (ctx) => {
  const ack = await handleSumsubWebhook(ctx.caller, {
    rawBody: await ctx.text(),
    digest: ctx.header("x-payload-digest"),
    algorithm: ctx.header("x-payload-digest-alg"),
  });
  return json(ack);
});
