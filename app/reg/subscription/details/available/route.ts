import { callerAs } from "@/server/caller";
import { listAvailableTiers } from "@/server/billing/tiers";
import { json, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

export const GET = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  return json(
    await listAvailableTiers(callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId })),
  );
});

export { OPTIONS } from "@/server/http/preflight";
