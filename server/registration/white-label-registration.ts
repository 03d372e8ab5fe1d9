import { getDb } from "../../db/client";
import { spendCaptcha, verifyCaptchaToken } from "../captcha/captcha";
import { captchaSecret } from "../captcha/secret";
import { type Caller } from "../caller";
import { AppError } from "../errors";
import type { Partner } from "../partners/lookup";
import { hashPassword } from "../passwords/hasher";
import { WHITE_LABEL_ACCESS_TTL_SECONDS } from "../tokens/access-token";
import { signTokens, type IssuedTokens } from "../tokens/refresh-tokens";
import { enforceRegistrationQuota } from "./quotas";
import { PRIVILEGED_FIELDS, type WhiteLabelRegistrationInput } from "./schemas";
import { insertWhiteLabelRegistration } from "./white-label-insert";

export interface WhiteLabelRegistration {
  partner: Partner;
  input: WhiteLabelRegistrationInput;
  deviceType?: string | null;
  captchaToken?: string | null;
}

/**
 * A partner's master API key, back-office staff acting for the partner, or
 * an operator (the system): may set verification status, level and the
 * client's IP, and skips the captcha. Anyone else registers as the public does.
 */
const isPrivileged = (caller: Caller) =>
  caller.actor.type === "api_key" || caller.actor.type === "staff" || caller.actor.type === "system";

/**
 * Creates a white-label client at once (one step) with its CHECKING account
 * and first session, opened from the caller's address and browser; the email
 * is confirmed afterwards by link or code. The back office calls this same
 * function with staff as the caller.
 */
export async function registerWhiteLabelClient(caller: Caller, o: WhiteLabelRegistration): Promise<IssuedTokens> {
  const { partner, input } = o;
  const db = getDb();
  const byStaff = caller.actor.type === "staff";
  if (!isPrivileged(caller)) {
    const sent = PRIVILEGED_FIELDS.filter((f) => input[f] !== undefined);
    if (sent.length > 0) {
      throw new AppError(
        "master_key_required",
        "These fields need the partner's master API key in the Authorization header",
        {
          fields: sent.map((path) => ({ path, message: `${path} may only be set with a master API key` })),
        },
      );
    }
    if (partner.captchaRequired) await requireCaptcha(partner, o.captchaToken);
  }
  if (!byStaff) {
    await enforceRegistrationQuota(db, partner, (isPrivileged(caller) && input.clientIp) || caller.ip);
  }
  const passwordHash = await hashPassword(input.password);
  const verificationStatus = input.verificationStatus ?? "not_verified";

  const now = new Date();
  const via = byStaff ? "back_office" : "white_label_api";
  // One statement writes the client, its account, confirmation and email, the audit event, webhooks and session.
  const stored = await insertWhiteLabelRegistration({
    caller,
    partner,
    client: {
      email: input.email,
      passwordHash,
      firstName: input.firstName,
      lastName: input.lastName,
      countryCode: input.countryCode,
      birthDate: input.birthDate,
      referralCode: input.referralCode,
      termsAgreedAt: now,
      postalCode: input.postalCode ?? null,
      state: input.state ?? null,
      address1: input.address1 ?? null,
      address2: input.address2 ?? null,
      deviceType: o.deviceType ?? null,
      verificationStatus,
      verificationLevel: input.verificationLevel ?? 0,
      emailConfirmedAt: verificationStatus === "not_verified" ? null : now,
      createdVia: via,
      createdByStaffId: caller.actor.type === "staff" ? caller.actor.id : null,
    },
    audited: {
      via,
      verificationStatus,
      verificationLevel: input.verificationLevel ?? 0,
      countryCode: input.countryCode,
    },
    accessTtlSeconds: WHITE_LABEL_ACCESS_TTL_SECONDS,
  });
  if (!stored) throw AppError.field("email_taken", "email", "This email is already registered with this partner");
  return signTokens(stored);
}

async function requireCaptcha(partner: Partner, token: string | null | undefined): Promise<void> {
  if (!token)
    throw AppError.field(
      "captcha_required",
      "Captcha-token",
      "This partner requires a solved captcha in the Captcha-token header (GET /api/public/captcha)",
    );
  const result = verifyCaptchaToken({ token, secret: captchaSecret(), partnerId: partner.id });
  if (!result.ok)
    throw AppError.field(
      "captcha_invalid",
      "Captcha-token",
      `The captcha is not valid (${result.reason.replace("_", " ")})`,
    );
  const spent = await spendCaptcha(getDb(), result.challengeHash, result.expiresAt);
  if (!spent)
    throw AppError.field("captcha_invalid", "Captcha-token", "This captcha was already used; solve a new one");
}
