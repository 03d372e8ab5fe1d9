import { json, route } from "@/server/http/route";
import { AppError } from "@/server/errors";
import { resolveWhiteLabelPartner } from "@/server/partners/resolve";
import { deviceTypeSchema, whiteLabelRegistrationSchema } from "@/server/registration/schemas";
import { registerWhiteLabelClient } from "@/server/registration/white-label-registration";
import { whiteLabelTokenResponse } from "@/server/tokens/responses";

/** White-label registration: one step; a master API key unlocks verification status and level. */
export const POST = route(async (ctx) => {
  const caller = await resolveWhiteLabelPartner({ authorization: ctx.header("authorization"), partnerIdHeader: ctx.header("partnerid"), ip: ctx.ip, requestId: ctx.requestId });
  const input = await ctx.body(whiteLabelRegistrationSchema);
  const deviceType = ctx.header("device-type");
  if (deviceType !== null && !deviceTypeSchema.safeParse(deviceType).success) throw AppError.field("invalid_request", "Device-type", "Device-type must be a short name such as ios or android");
  const tokens = await registerWhiteLabelClient({
    partner: caller.partner,
    input,
    privileged: caller.apiKeyId !== undefined,
    actor: caller.apiKeyId ? { type: "api_key", id: caller.apiKeyId } : { type: "anonymous" },
    deviceType,
    captchaToken: ctx.header("captcha-token"),
    meta: { ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId },
  });
  return json(whiteLabelTokenResponse(tokens), 201);
});
