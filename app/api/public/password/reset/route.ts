import { callerAs } from "@/server/caller";
import { json, route } from "@/server/http/route";
import { resetPassword } from "@/server/registration/password-reset";
import { whiteLabelPasswordResetSchema } from "@/server/registration/schemas";

/** White-label password reset, step 2: the emailed code (or the link's token) and a new password under the white-label policy. */
export const POST = route(async (ctx) => {
  const { partner, apiKeyId } = await ctx.partner({ masterKey: true });
  const input = await ctx.body(whiteLabelPasswordResetSchema);
  const caller = apiKeyId ? callerAs(ctx.caller, { type: "api_key", id: apiKeyId, partnerId: partner.id }) : ctx.caller;
  await resetPassword(caller, { partner, input, flavour: "white_label" });
  return json({ passwordChanged: true });
});

export { OPTIONS } from "@/server/http/preflight";
