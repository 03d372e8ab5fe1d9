import { callerAs } from "@/server/caller";
import { json, route } from "@/server/http/route";
import { requestPasswordReset } from "@/server/registration/password-reset";
import { passwordForgotSchema } from "@/server/registration/schemas";

/** White-label password reset, step 1: always 202 {}, whether or not the email is a client's. */
export const POST = route(async (ctx) => {
  const { partner, apiKeyId } = await ctx.partner({ masterKey: true });
  const input = await ctx.body(passwordForgotSchema);
  const caller = apiKeyId ? callerAs(ctx.caller, { type: "api_key", id: apiKeyId, partnerId: partner.id }) : ctx.caller;
  await requestPasswordReset(caller, { partner, email: input.email, flavour: "white_label" });
  return json({}, 202);
});

export { OPTIONS } from "@/server/http/preflight";
