import { createHmac } from "node:crypto";
import { config } from "../../env";

/** A key used only for captchas, derived from AUTH_SECRET so no extra setting is needed. */
export function captchaSecret(): string {
  return createHmac("sha256", config().authSecret).update("gatehouse/captcha/v1").digest("hex");
}
