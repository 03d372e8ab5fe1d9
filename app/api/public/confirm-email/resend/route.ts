import { json, route } from "@/server/http/route";
import { requireActivePartner } from "@/server/partners/lookup";
import { resendEmailConfirmation } from "@/server/registration/email-confirmation";
import { authenticateClient } from "@/server/tokens/bearer";

/** Sends the signed-in client a new confirmation email. */
export const POST = route(async (ctx) => {
  const client = await authenticateClient(ctx.header("authorization"));
  const partner = await requireActivePartner(client.partnerId);
  await resendEmailConfirmation({ clientId: client.id, partner, meta: { ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId } });
  return json({}, 202);
});
