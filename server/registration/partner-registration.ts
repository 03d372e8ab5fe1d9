import { and, desc, eq, gt, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { getDb } from "../../db/client";
import { clients, pendingRegistrations } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { randomDigits, randomToken, safeEqualHex, secretHmac } from "../crypto";
import { AppError } from "../errors";
import { enqueueEmail } from "../mail/outbox";
import { requireActivePartner, type Partner } from "../partners/partners";
import { hashPassword, verifyPassword } from "../passwords/hasher";
import { PARTNER_ACCESS_TTL_SECONDS } from "../tokens/access-token";
import { signTokens, storeRefreshToken, type IssuedTokens, type StoredTokens } from "../tokens/refresh-tokens";
import { canSendCode, checkCode, CODE_TTL_SECONDS, codeExpiry, SANDBOX_CODE, type SendDecision } from "./code-lifecycle";
import { insertClientWithAccount } from "./create-client";
import { enforceRegistrationQuota } from "./quotas";
import type { PartnerRegistrationInput } from "./schemas";

export interface RequestMeta {
  ip: string;
  userAgent?: string | null;
  requestId?: string | null;
}

export function codeHashFor(pendingId: string, code: string): string {
  return secretHmac("registration-code", `${pendingId}:${code}`);
}

export function assertUserTypeAllowed(partner: Partner, userType: string): void {
  if (!partner.allowedUserTypes.includes(userType)) {
    throw AppError.field("user_type_not_allowed", "userType", `userType must be one of: ${partner.allowedUserTypes.join(", ")}`);
  }
}

export function refuseSend(decision: Exclude<SendDecision, { allowed: true }>): AppError {
  return decision.reason === "cooldown"
    ? new AppError("resend_cooldown", `A code was sent moments ago; ask for another in ${decision.retryAfterSeconds} seconds`, { retryAfterSeconds: decision.retryAfterSeconds })
    : new AppError("resend_limit_reached", "Too many codes were sent to this address today; try again later", { retryAfterSeconds: decision.retryAfterSeconds });
}

const emailMatches = (partnerId: number, email: string) =>
  and(eq(pendingRegistrations.partnerId, partnerId), sql`lower(${pendingRegistrations.email}) = lower(${email})`);

export async function sendHistory(partnerId: number, email: string, now: Date) {
  const [h] = await getDb()
    .select({
      // A finished registration does not hold back a new step 1; it still counts toward the daily cap.
      lastSentAt: sql<Date | null>`max(${pendingRegistrations.lastSentAt}) filter (where ${pendingRegistrations.state} <> 'confirmed')`.mapWith((v) => (v ? new Date(v) : null)),
      sends: sql<number>`coalesce(sum(${pendingRegistrations.resendCount} + 1), 0)`.mapWith(Number),
      first: sql<Date | null>`min(${pendingRegistrations.createdAt})`.mapWith((v) => (v ? new Date(v) : null)),
      open: sql<number>`count(*) filter (where ${pendingRegistrations.state} = 'pending' and ${pendingRegistrations.expiresAt} > ${now})`.mapWith(Number),
    })
    .from(pendingRegistrations)
    .where(and(emailMatches(partnerId, email), gt(pendingRegistrations.createdAt, new Date(now.getTime() - 86_400_000))));
  return {
    history: { lastSentAt: h?.lastSentAt ?? undefined, sendsInLastDay: h?.sends ?? 0, firstSendInLastDay: h?.first ?? undefined },
    hasOpen: (h?.open ?? 0) > 0,
  };
}

/**
 * Step 1: remember the registration and email a code. The answer is the same
 * whether or not the address already has an account; its owner is told by
 * email instead, so the endpoint does not reveal who is registered.
 */
export async function startPartnerRegistration(o: { partnerId: number; input: PartnerRegistrationInput; meta: RequestMeta }): Promise<void> {
  const db = getDb();
  const now = new Date();
  const partner = await requireActivePartner(db, o.partnerId);
  assertUserTypeAllowed(partner, o.input.userType);
  const { email } = o.input;

  const before = await sendHistory(partner.id, email, now);
  const decision = canSendCode(before.history, now);
  if (!decision.allowed) throw refuseSend(decision);
  if (!before.hasOpen) await enforceRegistrationQuota(db, partner, o.meta.ip, now);

  const passwordHash = await hashPassword(o.input.password);
  const code = partner.sandbox ? SANDBOX_CODE : randomDigits(6);

  await db.transaction(async (tx) => {
    const [existingClient] = await tx
      .select({ id: clients.id })
      .from(clients)
      .where(and(eq(clients.partnerId, partner.id), sql`lower(${clients.email}) = lower(${email})`));
    const [open] = await tx
      .select({ id: pendingRegistrations.id, lastSentAt: pendingRegistrations.lastSentAt, expiresAt: pendingRegistrations.expiresAt })
      .from(pendingRegistrations)
      .where(and(emailMatches(partner.id, email), eq(pendingRegistrations.state, "pending")))
      .for("update");
    // Re-checked under the lock: two step-1 requests racing must not both send.
    const again = canSendCode({ ...before.history, lastSentAt: open?.lastSentAt ?? before.history.lastSentAt }, now);
    if (!again.allowed) throw refuseSend(again);

    let pendingId: string;
    const stillOpen = open && open.expiresAt.getTime() > now.getTime();
    if (open && !stillOpen) {
      await tx.update(pendingRegistrations).set({ state: "expired", updatedAt: now }).where(eq(pendingRegistrations.id, open.id));
    }
    // An existing client gets a code nobody can know: step 2 then fails exactly as a wrong code would.
    const codeFor = (id: string) => codeHashFor(id, existingClient ? randomToken(32) : code);
    if (open && stillOpen) {
      pendingId = open.id;
      await tx
        .update(pendingRegistrations)
        .set({
          codeHash: codeFor(pendingId),
          passwordHash,
          userType: o.input.userType,
          attempts: 0,
          resendCount: sql`${pendingRegistrations.resendCount} + 1`,
          lastSentAt: now,
          expiresAt: codeExpiry(now),
          updatedAt: now,
        })
        .where(eq(pendingRegistrations.id, pendingId));
    } else {
      pendingId = randomUUID();
      const inserted = await tx
        .insert(pendingRegistrations)
        .values({
          id: pendingId,
          partnerId: partner.id,
          email,
          passwordHash,
          userType: o.input.userType,
          codeHash: codeFor(pendingId),
          expiresAt: codeExpiry(now),
          lastSentAt: now,
          requestIp: o.meta.ip,
        })
        .onConflictDoNothing()
        .returning({ id: pendingRegistrations.id });
      // A concurrent step 1 for the same address opened it first and sends its code.
      if (inserted.length === 0) throw refuseSend({ allowed: false, reason: "cooldown", retryAfterSeconds: 60 });
    }
    if (existingClient) {
      await enqueueEmail(tx, { template: "account_exists", to: email, data: { partnerName: partner.name }, partnerId: partner.id, clientId: existingClient.id });
    } else {
      await enqueueEmail(tx, {
        template: "registration_code",
        to: email,
        data: { partnerName: partner.name, code, expiresInMinutes: CODE_TTL_SECONDS / 60 },
        partnerId: partner.id,
      });
    }
  });
}

type StepTwoOutcome = { ok: true; tokens: StoredTokens } | { ok: false; error: AppError };

const invalidCode = (remaining?: number) =>
  AppError.field("confirmation_code_invalid", "emailConfirmCode", "The confirmation code is not valid", remaining === undefined ? {} : { details: { attemptsRemaining: remaining } });
const expiredCode = () => AppError.field("confirmation_code_expired", "emailConfirmCode", "The confirmation code has expired; repeat step 1 to get a new one");
const lockedCode = () => AppError.field("confirmation_locked", "emailConfirmCode", "Too many wrong codes: this registration is locked; repeat step 1 later to start again");

/** Step 2: check the code and create the client, its account and its first session. */
export async function completePartnerRegistration(o: { partnerId: number; input: PartnerRegistrationInput & { emailConfirmCode: string }; meta: RequestMeta }): Promise<IssuedTokens> {
  const db = getDb();
  const partner = await requireActivePartner(db, o.partnerId);
  assertUserTypeAllowed(partner, o.input.userType);
  const { email } = o.input;

  const [latest] = await db
    .select({ id: pendingRegistrations.id, state: pendingRegistrations.state, expiresAt: pendingRegistrations.expiresAt, passwordHash: pendingRegistrations.passwordHash })
    .from(pendingRegistrations)
    .where(emailMatches(partner.id, email))
    .orderBy(desc(pendingRegistrations.createdAt))
    .limit(1);
  if (!latest || latest.state === "confirmed" || latest.state === "cancelled") throw invalidCode();
  if (latest.state === "locked") throw lockedCode();
  if (latest.state === "expired" || latest.expiresAt.getTime() <= Date.now()) throw expiredCode();
  // Verified before the transaction: argon2 must not hold a row lock for its whole run.
  const passwordOk = await verifyPassword(latest.passwordHash, o.input.password);

  const outcome = await db.transaction(async (tx): Promise<StepTwoOutcome> => {
    const now = new Date();
    const [p] = await tx
      .select({
        id: pendingRegistrations.id,
        state: pendingRegistrations.state,
        attempts: pendingRegistrations.attempts,
        expiresAt: pendingRegistrations.expiresAt,
        codeHash: pendingRegistrations.codeHash,
        passwordHash: pendingRegistrations.passwordHash,
        userType: pendingRegistrations.userType,
      })
      .from(pendingRegistrations)
      .where(eq(pendingRegistrations.id, latest.id))
      .for("update");
    if (!p) return { ok: false, error: invalidCode() };
    const codeMatches = safeEqualHex(codeHashFor(p.id, o.input.emailConfirmCode), p.codeHash);
    // A resend between the read and the lock replaced the hash; the earlier verification no longer applies.
    const passwordStillOk = passwordOk && p.passwordHash === latest.passwordHash;
    const check = checkCode(p, codeMatches && passwordStillOk, now);
    switch (check.outcome) {
      case "unusable":
        return { ok: false, error: invalidCode() };
      case "expired":
        await tx.update(pendingRegistrations).set({ state: "expired", updatedAt: now }).where(eq(pendingRegistrations.id, p.id));
        return { ok: false, error: expiredCode() };
      case "locked":
        await tx.update(pendingRegistrations).set({ state: "locked", attempts: check.attempts, updatedAt: now }).where(eq(pendingRegistrations.id, p.id));
        await recordAudit(tx, { actor: { type: "anonymous" }, action: "registration.code_locked", entityType: "pending_registration", entityId: p.id, partnerId: partner.id, ip: o.meta.ip, requestId: o.meta.requestId });
        return { ok: false, error: lockedCode() };
      case "invalid":
        await tx.update(pendingRegistrations).set({ attempts: check.attempts, updatedAt: now }).where(eq(pendingRegistrations.id, p.id));
        if (codeMatches && !passwordStillOk) {
          return { ok: false, error: AppError.field("password_mismatch", "password", "The password differs from the one given in step 1", { details: { attemptsRemaining: check.remaining } }) };
        }
        return { ok: false, error: invalidCode(check.remaining) };
      case "accepted":
        break;
    }
    const created = await insertClientWithAccount(
      tx,
      { partnerId: partner.id, email, passwordHash: p.passwordHash, userType: p.userType, emailConfirmedAt: now, verificationStatus: "email_verified", createdVia: "partner_api" },
      partner.defaultCurrency,
    );
    if (!created) {
      await tx.update(pendingRegistrations).set({ state: "cancelled", updatedAt: now }).where(eq(pendingRegistrations.id, p.id));
      return { ok: false, error: AppError.field("email_taken", "email", "This email is already registered with this partner") };
    }
    await tx.update(pendingRegistrations).set({ state: "confirmed", clientId: created.id, updatedAt: now }).where(eq(pendingRegistrations.id, p.id));
    await recordAudit(tx, {
      actor: { type: "client", id: created.id },
      action: "client.register",
      entityType: "client",
      entityId: created.id,
      partnerId: partner.id,
      after: { via: "partner_api", userType: p.userType, verificationStatus: "email_verified" },
      ip: o.meta.ip,
      requestId: o.meta.requestId,
    });
    const tokens = await storeRefreshToken(tx, {
      subject: { id: created.id, partnerId: partner.id, email, countryCode: null, userType: p.userType },
      flavour: "partner",
      accessTtlSeconds: PARTNER_ACCESS_TTL_SECONDS,
      ip: o.meta.ip,
      userAgent: o.meta.userAgent,
    });
    return { ok: true, tokens };
  });
  if (!outcome.ok) throw outcome.error;
  return signTokens(outcome.tokens);
}
