import { callerAs } from "@/server/caller";
import { getInvoice } from "@/server/billing/client-billing";
import { invoicePathSchema } from "@/server/billing/schemas";
import { json, route } from "@/server/http/route";
import { authenticateClient } from "@/server/tokens/bearer";

export const GET = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const caller = callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId });
  return json(await getInvoice(caller, invoicePathSchema.parse({ invoiceId: ctx.params.invoiceId ?? "" })));
});

export { OPTIONS } from "@/server/http/preflight";
