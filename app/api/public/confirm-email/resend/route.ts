import { callerAs } from "@/server/caller";
import { json, route } from "@/server/http/route";
import { requireActivePartner } from "@/server/partners/lookup";
import { resendEmailConfirmation } from "@/server/registration/email-confirmation";
import { authenticateClient } from "@/server/tokens/bearer";

/** Sends the signed-in client a new confirmation email. */
export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const caller = callerAs(ctx.caller, { type: "client", id: client.id, partnerId: client.partnerId });
  const partner = await requireActivePartner(client.partnerId);
  await resendEmailConfirmation(caller, { clientId: client.id, partner });
  return json({}, 202);
});

export { OPTIONS } from "@/server/http/preflight";
