import { getInvoice } from "@/server/billing/client-billing";
import { json, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

export const GET = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  return json(await getInvoice(client, ctx.params.invoiceId ?? ""));
});
