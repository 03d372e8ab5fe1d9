import { getDb } from "../../db/client";
import { recordAudit, type Actor } from "../audit/record";
import { spendCaptcha, verifyCaptchaToken } from "../captcha/captcha";
import { captchaSecret } from "../captcha/secret";
import { AppError } from "../errors";
import type { Partner } from "../partners/lookup";
import { hashPassword } from "../passwords/hasher";
import { WHITE_LABEL_ACCESS_TTL_SECONDS } from "../tokens/access-token";
import { signTokens, storeRefreshToken, type IssuedTokens } from "../tokens/refresh-tokens";
import { insertClientWithAccount } from "./create-client";
import { openEmailConfirmation } from "./email-confirmation";
import type { RequestMeta } from "./partner-registration";
import { enforceRegistrationQuota } from "./quotas";
import { PRIVILEGED_FIELDS, type WhiteLabelRegistrationInput } from "./schemas";

export interface WhiteLabelRegistration {
  partner: Partner;
  input: WhiteLabelRegistrationInput;
  /**
   * A partner's master API key, or back-office staff acting for the partner:
   * may set verification status, level and the client's IP, and skips the captcha.
   */
  privileged: boolean;
  actor: Actor;
  deviceType?: string | null;
  captchaToken?: string | null;
  meta: RequestMeta;
}

/**
 * Creates a white-label client at once (one step) with its CHECKING account
 * and first session; the email is confirmed afterwards by link or code.
 * The back office calls this same function with staff as the actor.
 */
export async function registerWhiteLabelClient(o: WhiteLabelRegistration): Promise<IssuedTokens> {
  const { partner, input } = o;
  const db = getDb();
  if (!o.privileged) {
    const sent = PRIVILEGED_FIELDS.filter((f) => input[f] !== undefined);
    if (sent.length > 0) {
      throw new AppError("master_key_required", "These fields need the partner's master API key in the Authorization header", {
        fields: sent.map((path) => ({ path, message: `${path} may only be set with a master API key` })),
      });
    }
    if (partner.captchaRequired) await requireCaptcha(partner, o.captchaToken);
  }
  if (o.actor.type !== "staff") {
    await enforceRegistrationQuota(db, partner, (o.privileged && input.clientIp) || o.meta.ip);
  }
  const passwordHash = await hashPassword(input.password);
  const verificationStatus = input.verificationStatus ?? "not_verified";

  const stored = await db.transaction(async (tx) => {
    const now = new Date();
    const created = await insertClientWithAccount(
      tx,
      {
        partnerId: partner.id,
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
        createdVia: o.actor.type === "staff" ? "back_office" : "white_label_api",
        createdByStaffId: o.actor.type === "staff" ? o.actor.id : null,
      },
      partner.defaultCurrency,
    );
    if (!created) throw AppError.field("email_taken", "email", "This email is already registered with this partner");
    if (verificationStatus === "not_verified") await openEmailConfirmation(tx, { clientId: created.id, email: input.email, partner });
    await recordAudit(tx, {
      actor: o.actor,
      action: "client.register",
      entityType: "client",
      entityId: created.id,
      partnerId: partner.id,
      after: { via: o.actor.type === "staff" ? "back_office" : "white_label_api", verificationStatus, verificationLevel: input.verificationLevel ?? 0, countryCode: input.countryCode },
      ip: o.meta.ip,
      requestId: o.meta.requestId,
    });
    return storeRefreshToken(tx, {
      subject: { id: created.id, partnerId: partner.id, email: input.email, countryCode: input.countryCode, userType: "CUSTOMER" },
      flavour: "white_label",
      accessTtlSeconds: WHITE_LABEL_ACCESS_TTL_SECONDS,
      ip: o.meta.ip,
      userAgent: o.meta.userAgent,
    });
  });
  return signTokens(stored);
}

async function requireCaptcha(partner: Partner, token: string | null | undefined): Promise<void> {
  if (!token) throw AppError.field("captcha_required", "Captcha-token", "This partner requires a solved captcha in the Captcha-token header (GET /api/public/captcha)");
  const result = verifyCaptchaToken({ token, secret: captchaSecret(), partnerId: partner.id });
  if (!result.ok) throw AppError.field("captcha_invalid", "Captcha-token", `The captcha is not valid (${result.reason.replace("_", " ")})`);
  const spent = await spendCaptcha(getDb(), result.challengeHash, result.expiresAt);
  if (!spent) throw AppError.field("captcha_invalid", "Captcha-token", "This captcha was already used; solve a new one");
}
