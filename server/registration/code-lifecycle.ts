import { randomDigits } from "../crypto";
import { AppError } from "../errors";

/**
 * The rules of an emailed confirmation code, as pure functions so they can be
 * tested under any clock. The services apply them under a row lock: both
 * kinds of confirmation (a partner-API registration's code, a white-label
 * client's email confirmation), sent by the public API or by staff.
 */
export const CODE_TTL_SECONDS = 10 * 60;
export const MAX_CODE_ATTEMPTS = 5;
export const RESEND_COOLDOWN_SECONDS = 60;
/** Emails (first send and resends) per address and partner in 24 hours. */
export const DAILY_SEND_CAP = 5;
export const SANDBOX_CODE = "12345";
const DAY_MS = 24 * 60 * 60 * 1000;

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
  if (holder.state !== "pending")
    return holder.state === "expired" ? { outcome: "expired", state: "expired" } : { outcome: "unusable" };
  if (holder.expiresAt.getTime() <= now.getTime()) return { outcome: "expired", state: "expired" };
  if (codeMatches) return { outcome: "accepted" };
  const attempts = holder.attempts + 1;
  if (attempts >= MAX_CODE_ATTEMPTS) return { outcome: "locked", attempts, state: "locked" };
  return { outcome: "invalid", attempts, remaining: MAX_CODE_ATTEMPTS - attempts, state: "pending" };
}

export type SendDecision =
  { allowed: true } | { allowed: false; reason: "cooldown" | "daily_cap"; retryAfterSeconds: number };

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
      return {
        allowed: false,
        reason: "cooldown",
        retryAfterSeconds: Math.max(1, Math.ceil(RESEND_COOLDOWN_SECONDS - elapsed)),
      };
    }
  }
  if (h.sendsInLastDay >= DAILY_SEND_CAP) {
    const reopens = (h.firstSendInLastDay ?? now).getTime() + DAY_MS;
    return {
      allowed: false,
      reason: "daily_cap",
      retryAfterSeconds: Math.max(1, Math.ceil((reopens - now.getTime()) / 1000)),
    };
  }
  return { allowed: true };
}

/** One confirmation sent to an address, as the send rules count it. */
export interface SentConfirmation {
  state: ConfirmationState;
  createdAt: Date;
  lastSentAt: Date;
  resendCount: number;
}

/**
 * The one history the cooldown and the daily cap look at: every confirmation
 * sent to the address (a partner-API address at one partner, or one
 * white-label client) that opened in the last 24 hours, its first send and
 * each resend. A confirmed one still counts toward the cap, but does not hold
 * back a new start with its cooldown.
 */
export function sendHistoryOf(sent: ReadonlyArray<SentConfirmation>, now: Date): SendHistory {
  const recent = sent.filter((c) => c.createdAt.getTime() > now.getTime() - DAY_MS);
  let lastSentAt: Date | undefined;
  let firstSendInLastDay: Date | undefined;
  let sendsInLastDay = 0;
  for (const c of recent) {
    sendsInLastDay += c.resendCount + 1;
    if (!firstSendInLastDay || c.createdAt < firstSendInLastDay) firstSendInLastDay = c.createdAt;
    if (c.state !== "confirmed" && (!lastSentAt || c.lastSentAt > lastSentAt)) lastSentAt = c.lastSentAt;
  }
  return { lastSentAt, sendsInLastDay, firstSendInLastDay };
}

/** A send the rules refused, as the caller's error (429 with Retry-After). */
export function refuseSend(decision: Exclude<SendDecision, { allowed: true }>): AppError {
  return decision.reason === "cooldown"
    ? new AppError(
        "resend_cooldown",
        `A code was sent moments ago; ask for another in ${decision.retryAfterSeconds} seconds`,
        { retryAfterSeconds: decision.retryAfterSeconds },
      )
    : new AppError("resend_limit_reached", "Too many codes were sent to this address today; try again later", {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
}

/** When a code sent now stops working: registration codes last CODE_TTL_SECONDS, a password reset's its own time. */
export function codeExpiry(now: Date, ttlSeconds = CODE_TTL_SECONDS): Date {
  return new Date(now.getTime() + ttlSeconds * 1000);
}

/** A new code to email: six digits from the CSPRNG, or the fixed SANDBOX_CODE at a sandbox partner. */
export function newCode(partner: { sandbox: boolean }): string {
  return partner.sandbox ? SANDBOX_CODE : randomDigits(6);
}
