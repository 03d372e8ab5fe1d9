import { json, route } from "@/server/http/route";
import { confirmEmail } from "@/server/registration/email-confirmation";
import { countConfirmedRegistration } from "@/server/registration/outcomes";
import { emailConfirmationSchema } from "@/server/registration/schemas";

/** Confirms a white-label client's email with the link's token or with clientId and code. */
export const POST = route(async (ctx) => {
  const input = await ctx.body(emailConfirmationSchema);
  const result = await confirmEmail(ctx.caller, input);
  countConfirmedRegistration();
  return json({ confirmed: true, verificationStatus: result.verificationStatus });
});

export { OPTIONS } from "@/server/http/preflight";
