import { json, route } from "@/server/http/route";
import { resetPassword } from "@/server/registration/password-reset";
import { partnerPasswordResetSchema } from "@/server/registration/schemas";

/** Partner API password reset, step 2: the emailed code (or the link's token) and a new password under the partner API policy. */
export const POST = route(async (ctx) => {
  const { partner } = await ctx.partner();
  const input = await ctx.body(partnerPasswordResetSchema);
  await resetPassword(ctx.caller, { partner, input, flavour: "partner" });
  return json({ passwordChanged: true });
});

export { OPTIONS } from "@/server/http/preflight";
