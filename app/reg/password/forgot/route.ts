import { json, route } from "@/server/http/route";
import { requestPasswordReset } from "@/server/registration/password-reset";
import { passwordForgotSchema } from "@/server/registration/schemas";

/** Partner API password reset, step 1: always 202 {}, whether or not the email is a client's. */
export const POST = route(async (ctx) => {
  const { partner } = await ctx.partner();
  const input = await ctx.body(passwordForgotSchema);
  await requestPasswordReset(ctx.caller, { partner, email: input.email, flavour: "partner" });
  return json({}, 202);
});

export { OPTIONS } from "@/server/http/preflight";
