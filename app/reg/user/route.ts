import { json, route } from "@/server/http/route";
import { countedRegistration } from "@/server/registration/outcomes";
import { completePartnerRegistration, startPartnerRegistration } from "@/server/registration/partner-registration";
import { partnerRegistrationSchema } from "@/server/registration/schemas";
import { partnerTokenResponse } from "@/server/tokens/responses";

/** Partner API "Create New User": step 1 answers 202 and emails a code; step 2 (with the code) answers 201 with tokens. */
export const POST = route((ctx) =>
  countedRegistration(
    "partner",
    async () => {
      const input = await ctx.body(partnerRegistrationSchema);
      const partnerId = (await ctx.partner({ partnerIdBody: input.partnerId })).partner.id;
      const { emailConfirmCode } = input;
      if (emailConfirmCode === undefined) {
        await startPartnerRegistration(ctx.caller, { ...input, partnerId });
        return json({}, 202);
      }
      const tokens = await completePartnerRegistration(ctx.caller, { ...input, partnerId, emailConfirmCode });
      return json(partnerTokenResponse(tokens), 201);
    },
    (response) => (response.status === 202 ? "started" : "created"),
  ),
);

export { OPTIONS } from "@/server/http/preflight";
