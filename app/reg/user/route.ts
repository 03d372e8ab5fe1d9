import { json, route } from "@/server/http/route";
import { AppError } from "@/server/errors";
import { parsePartnerId } from "@/server/partners/resolve";
import { completePartnerRegistration, startPartnerRegistration } from "@/server/registration/partner-registration";
import { partnerRegistrationSchema } from "@/server/registration/schemas";
import { partnerTokenResponse } from "@/server/tokens/responses";

/** Partner API "Create New User": step 1 answers 202 and emails a code; step 2 (with the code) answers 201 with tokens. */
export const POST = route(async (ctx) => {
  const input = await ctx.body(partnerRegistrationSchema);
  const header = ctx.header("partnerid");
  const headerId = header === null ? undefined : parsePartnerId(header, "partnerId");
  if (headerId !== undefined && input.partnerId !== undefined && headerId !== input.partnerId) {
    throw AppError.field("invalid_request", "partnerId", "The partnerId header and body disagree");
  }
  const partnerId = headerId ?? input.partnerId;
  if (partnerId === undefined) throw AppError.field("partner_required", "partnerId", "The partnerId header is required");
  const { emailConfirmCode } = input;
  if (emailConfirmCode === undefined) {
    await startPartnerRegistration(ctx.caller, { ...input, partnerId });
    return json({}, 202);
  }
  const tokens = await completePartnerRegistration(ctx.caller, { ...input, partnerId, emailConfirmCode });
  return json(partnerTokenResponse(tokens), 201);
});
