import { callerAs } from "@/server/caller";
import { json, route } from "@/server/http/route";
import { AppError } from "@/server/errors";
import { countedRegistration } from "@/server/registration/outcomes";
import { deviceTypeSchema, whiteLabelRegistrationSchema } from "@/server/registration/schemas";
import { registerWhiteLabelClient } from "@/server/registration/white-label-registration";
import { whiteLabelTokenResponse } from "@/server/tokens/responses";

/** White-label registration: one step; a master API key unlocks verification status and level. */
export const POST = route((ctx) =>
  countedRegistration("white_label", async () => {
    const { partner, apiKeyId } = await ctx.partner({ masterKey: true });
    const input = await ctx.body(whiteLabelRegistrationSchema);
    const deviceType = ctx.header("device-type");
    if (deviceType !== null && !deviceTypeSchema.safeParse(deviceType).success)
      throw AppError.field("invalid_request", "Device-type", "Device-type must be a short name such as ios or android");
    // The partner's master key, when sent, is who registers: it may set the verification fields and skips the captcha.
    const caller = apiKeyId
      ? callerAs(ctx.caller, { type: "api_key", id: apiKeyId, partnerId: partner.id })
      : ctx.caller;
    const tokens = await registerWhiteLabelClient(caller, {
      partner,
      input,
      deviceType,
      captchaToken: ctx.header("captcha-token"),
    });
    return json(whiteLabelTokenResponse(tokens), 201);
  }),
);

export { OPTIONS } from "@/server/http/preflight";
