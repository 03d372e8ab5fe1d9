import { json, route } from "@/server/http/route";
import { confirmEmail } from "@/server/registration/email-confirmation";
import { emailConfirmationSchema } from "@/server/registration/schemas";

/** Confirms a white-label client's email with the link's token or with clientId and code. */
export const POST = route(async (ctx) => {
  const input = await ctx.body(emailConfirmationSchema);
  const meta = { ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId };
  const result = "token" in input ? await confirmEmail({ token: input.token, meta }) : await confirmEmail({ clientId: input.clientId, code: input.code, meta });
  return json({ confirmed: true, verificationStatus: result.verificationStatus });
});
