/**
 * The rules of an emailed confirmation code, as pure functions so they can be
 * tested under any clock. The services apply them under a row lock.
 */
export const CODE_TTL_SECONDS = 10 * 60;
export const MAX_CODE_ATTEMPTS = 5;
export const RESEND_COOLDOWN_SECONDS = 60;
/** Emails (first send and resends) per address and partner in 24 hours. */
export const DAILY_SEND_CAP = 5;
export const SANDBOX_CODE = "12345";

export type ConfirmationState = "pending" | "confirmed" | "expired" | "cancelled" | "locked";

export interface CodeHolder {
  state: ConfirmationState;
  attempts: number;
  expiresAt: Date;
}

export type CodeCheck =
  | { outcome: "accepted" }
  | { outcome: "invalid"; attempts: number; remaining: number; state: "pending" }
  | { outcome: "locked"; attempts: number; state: "locked" }
  | { outcome: "expired"; state: "expired" }
  | { outcome: "unusable" };

/** What presenting a code does to a pending confirmation. */
export function checkCode(holder: CodeHolder, codeMatches: boolean, now: Date): CodeCheck {
  if (holder.state === "locked") return { outcome: "locked", attempts: holder.attempts, state: "locked" };
  if (holder.state !== "pending") return holder.state === "expired" ? { outcome: "expired", state: "expired" } : { outcome: "unusable" };
  if (holder.expiresAt.getTime() <= now.getTime()) return { outcome: "expired", state: "expired" };
  if (codeMatches) return { outcome: "accepted" };
  const attempts = holder.attempts + 1;
  if (attempts >= MAX_CODE_ATTEMPTS) return { outcome: "locked", attempts, state: "locked" };
  return { outcome: "invalid", attempts, remaining: MAX_CODE_ATTEMPTS - attempts, state: "pending" };
}

export type SendDecision = { allowed: true } | { allowed: false; reason: "cooldown" | "daily_cap"; retryAfterSeconds: number };

export interface SendHistory {
  lastSentAt?: Date;
  /** Emails sent to this address for this partner in the last 24 hours. */
  sendsInLastDay: number;
  /** When the first of those was sent. */
  firstSendInLastDay?: Date;
}

/** Whether another code email may go out now. */
export function canSendCode(h: SendHistory, now: Date): SendDecision {
  if (h.lastSentAt) {
    const elapsed = (now.getTime() - h.lastSentAt.getTime()) / 1000;
    if (elapsed < RESEND_COOLDOWN_SECONDS) {
      return { allowed: false, reason: "cooldown", retryAfterSeconds: Math.max(1, Math.ceil(RESEND_COOLDOWN_SECONDS - elapsed)) };
    }
  }
  if (h.sendsInLastDay >= DAILY_SEND_CAP) {
    const reopens = (h.firstSendInLastDay ?? now).getTime() + 24 * 60 * 60 * 1000;
    return { allowed: false, reason: "daily_cap", retryAfterSeconds: Math.max(1, Math.ceil((reopens - now.getTime()) / 1000)) };
  }
  return { allowed: true };
}

export function codeExpiry(now: Date): Date {
  return new Date(now.getTime() + CODE_TTL_SECONDS * 1000);
}
