import { and, desc, eq, gt, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { getDb, type Tx } from "../../db/client";
import { clients, pendingRegistrations } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { callerAs, type Caller } from "../caller";
import { randomToken, safeEqualHex, secretHmac } from "../crypto";
import { AppError } from "../errors";
import { enqueueEmail } from "../mail/outbox";
import { requireActivePartner, type Partner } from "../partners/lookup";
import { hashPassword, verifyPassword } from "../passwords/hasher";
import { PARTNER_ACCESS_TTL_SECONDS } from "../tokens/access-token";
import { signTokens, storeRefreshToken, type IssuedTokens, type StoredTokens } from "../tokens/refresh-tokens";
import {
  canSendCode,
  checkCode,
  CODE_TTL_SECONDS,
  codeExpiry,
  newCode,
  refuseSend,
  sendHistoryOf,
} from "./code-lifecycle";
import { insertClientWithAccount } from "./create-client";
import { enforceRegistrationQuota } from "./quotas";
import type { PartnerRegistrationInput } from "./schemas";

export function codeHashFor(pendingId: string, code: string): string {
  return secretHmac("registration-code", `${pendingId}:${code}`);
}

/**
 * What step 1 keeps of the password: a keyed fingerprint, not an argon2id
 * hash, so a completed registration costs one hash (at step 2, whose password
 * is the one stored) instead of two. Bound to the registration's id, useless
 * offline without AUTH_SECRET, and only ever compared with the password sent
 * to step 2 (docs/decisions/0025-one-hash-per-registration.md).
 */
const FINGERPRINT_PREFIX = "fp1$";

function passwordFingerprint(pendingId: string, password: string): string {
  return FINGERPRINT_PREFIX + secretHmac("registration-password", `${pendingId}:${password}`);
}

/**
 * Whether step 2's password is the one step 1 was given. A registration
 * opened before fingerprints (an argon2id hash in the row) is still checked
 * with argon2.
 */
async function sameAsStepOne(pendingId: string, stored: string, password: string): Promise<boolean> {
  if (stored.startsWith(FINGERPRINT_PREFIX)) {
    return safeEqualHex(
      passwordFingerprint(pendingId, password).slice(FINGERPRINT_PREFIX.length),
      stored.slice(FINGERPRINT_PREFIX.length),
    );
  }
  return verifyPassword(stored, password);
}

function assertUserTypeAllowed(partner: Partner, userType: string): void {
  if (!partner.allowedUserTypes.includes(userType)) {
    throw AppError.field(
      "user_type_not_allowed",
      "userType",
      `userType must be one of: ${partner.allowedUserTypes.join(", ")}`,
    );
  }
}

const emailMatches = (partnerId: number, email: string) =>
  and(eq(pendingRegistrations.partnerId, partnerId), sql`lower(${pendingRegistrations.email}) = lower(${email})`);

/**
 * The codes sent to an address at a partner in the last day, for the send
 * rules (code-lifecycle.ts), and whether a registration for it is still open.
 * Step 1 and the back office's resend both read it before their transaction
 * (the embedded database runs one transaction at a time) and check again
 * under the row lock.
 */
export async function registrationSends(partnerId: number, email: string, now: Date) {
  const rows = await getDb()
    .select({
      state: pendingRegistrations.state,
      createdAt: pendingRegistrations.createdAt,
      lastSentAt: pendingRegistrations.lastSentAt,
      resendCount: pendingRegistrations.resendCount,
      expiresAt: pendingRegistrations.expiresAt,
    })
    .from(pendingRegistrations)
    .where(
      and(emailMatches(partnerId, email), gt(pendingRegistrations.createdAt, new Date(now.getTime() - 86_400_000))),
    );
  return {
    history: sendHistoryOf(rows, now),
    hasOpen: rows.some((r) => r.state === "pending" && r.expiresAt.getTime() > now.getTime()),
  };
}

/**
 * Queues the email that carries a registration's new code and returns the
 * hash to store. An address that already has an account is told so by email
 * instead, and gets a code nobody can know: step 2 then fails exactly as a
 * wrong code would, so the endpoint does not reveal who is registered.
 */
export async function emailRegistrationCode(
  tx: Tx,
  o: { pendingId: string; partner: Partner; email: string; code: string },
): Promise<string> {
  const [existingClient] = await tx
    .select({ id: clients.id })
    .from(clients)
    .where(and(eq(clients.partnerId, o.partner.id), sql`lower(${clients.email}) = lower(${o.email})`));
  if (existingClient) {
    await enqueueEmail(tx, {
      template: "account_exists",
      to: o.email,
      data: { partnerName: o.partner.name },
      partnerId: o.partner.id,
      clientId: existingClient.id,
    });
    return codeHashFor(o.pendingId, randomToken(32));
  }
  await enqueueEmail(tx, {
    template: "registration_code",
    to: o.email,
    data: { partnerName: o.partner.name, code: o.code, expiresInMinutes: CODE_TTL_SECONDS / 60 },
    partnerId: o.partner.id,
  });
  return codeHashFor(o.pendingId, o.code);
}

/** What both steps take: the request's fields, with the partner the header or the body named. */
export type PartnerRegistration = PartnerRegistrationInput & { partnerId: number };

/**
 * Step 1: remember the registration and email a code. The answer is the same
 * whether or not the address already has an account; its owner is told by
 * email instead, so the endpoint does not reveal who is registered.
 */
export async function startPartnerRegistration(caller: Caller, input: PartnerRegistration): Promise<void> {
  const db = getDb();
  const now = new Date();
  const partner = await requireActivePartner(input.partnerId);
  assertUserTypeAllowed(partner, input.userType);
  const { email } = input;

  const before = await registrationSends(partner.id, email, now);
  const decision = canSendCode(before.history, now);
  if (!decision.allowed) throw refuseSend(decision);
  if (!before.hasOpen) await enforceRegistrationQuota(db, partner, caller.ip, now);

  const code = newCode(partner);

  await db.transaction(async (tx) => {
    const [open] = await tx
      .select({
        id: pendingRegistrations.id,
        lastSentAt: pendingRegistrations.lastSentAt,
        expiresAt: pendingRegistrations.expiresAt,
      })
      .from(pendingRegistrations)
      .where(and(emailMatches(partner.id, email), eq(pendingRegistrations.state, "pending")))
      .for("update");
    // Re-checked under the lock: two step-1 requests racing must not both send.
    const again = canSendCode({ ...before.history, lastSentAt: open?.lastSentAt ?? before.history.lastSentAt }, now);
    if (!again.allowed) throw refuseSend(again);

    const stillOpen = open && open.expiresAt.getTime() > now.getTime();
    if (open && !stillOpen) {
      await tx
        .update(pendingRegistrations)
        .set({ state: "expired", updatedAt: now })
        .where(eq(pendingRegistrations.id, open.id));
    }
    if (open && stillOpen) {
      await tx
        .update(pendingRegistrations)
        .set({
          codeHash: await emailRegistrationCode(tx, { pendingId: open.id, partner, email, code }),
          passwordHash: passwordFingerprint(open.id, input.password),
          userType: input.userType,
          attempts: 0,
          resendCount: sql`${pendingRegistrations.resendCount} + 1`,
          lastSentAt: now,
          expiresAt: codeExpiry(now),
          updatedAt: now,
        })
        .where(eq(pendingRegistrations.id, open.id));
      return;
    }
    const pendingId = randomUUID();
    const inserted = await tx
      .insert(pendingRegistrations)
      .values({
        id: pendingId,
        partnerId: partner.id,
        email,
        passwordHash: passwordFingerprint(pendingId, input.password),
        userType: input.userType,
        codeHash: await emailRegistrationCode(tx, { pendingId, partner, email, code }),
        expiresAt: codeExpiry(now),
        lastSentAt: now,
        requestIp: caller.ip,
      })
      .onConflictDoNothing()
      .returning({ id: pendingRegistrations.id });
    // A concurrent step 1 for the same address opened it first and sends its code (this email rolls back).
    if (inserted.length === 0) throw refuseSend({ allowed: false, reason: "cooldown", retryAfterSeconds: 60 });
  });
}

type StepTwoOutcome = { ok: true; tokens: StoredTokens } | { ok: false; error: AppError };

const invalidCode = (remaining?: number) =>
  AppError.field(
    "confirmation_code_invalid",
    "emailConfirmCode",
    "The confirmation code is not valid",
    remaining === undefined ? {} : { details: { attemptsRemaining: remaining } },
  );
const expiredCode = () =>
  AppError.field(
    "confirmation_code_expired",
    "emailConfirmCode",
    "The confirmation code has expired; repeat step 1 to get a new one",
  );
const lockedCode = () =>
  AppError.field(
    "confirmation_locked",
    "emailConfirmCode",
    "Too many wrong codes: this registration is locked; repeat step 1 later to start again",
  );

/** Step 2: check the code and create the client, its account and its first session, opened from the caller's address and browser. */
export async function completePartnerRegistration(
  caller: Caller,
  input: PartnerRegistration & { emailConfirmCode: string },
): Promise<IssuedTokens> {
  const db = getDb();
  const partner = await requireActivePartner(input.partnerId);
  assertUserTypeAllowed(partner, input.userType);
  const { email } = input;

  const [latest] = await db
    .select({
      id: pendingRegistrations.id,
      state: pendingRegistrations.state,
      expiresAt: pendingRegistrations.expiresAt,
      passwordHash: pendingRegistrations.passwordHash,
      codeHash: pendingRegistrations.codeHash,
    })
    .from(pendingRegistrations)
    .where(emailMatches(partner.id, email))
    .orderBy(desc(pendingRegistrations.createdAt))
    .limit(1);
  if (!latest || latest.state === "confirmed" || latest.state === "cancelled") throw invalidCode();
  if (latest.state === "locked") throw lockedCode();
  if (latest.state === "expired" || latest.expiresAt.getTime() <= Date.now()) throw expiredCode();
  // Checked before the transaction, and the client's hash made there too: argon2 must not hold a
  // row lock for its whole run. The hash is made only when code and password both match, so a
  // wrong guess costs no argon2 run; the transaction checks both again under the lock.
  const passwordOk = await sameAsStepOne(latest.id, latest.passwordHash, input.password);
  const codeLooksRight = safeEqualHex(codeHashFor(latest.id, input.emailConfirmCode), latest.codeHash);
  const clientPasswordHash = passwordOk && codeLooksRight ? await hashPassword(input.password) : undefined;

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
    const codeMatches = safeEqualHex(codeHashFor(p.id, input.emailConfirmCode), p.codeHash);
    // A resend between the read and the lock replaced the hash; the earlier verification no longer applies.
    const passwordStillOk = passwordOk && p.passwordHash === latest.passwordHash;
    const check = checkCode(p, codeMatches && passwordStillOk && clientPasswordHash !== undefined, now);
    switch (check.outcome) {
      case "unusable":
        return { ok: false, error: invalidCode() };
      case "expired":
        await tx
          .update(pendingRegistrations)
          .set({ state: "expired", updatedAt: now })
          .where(eq(pendingRegistrations.id, p.id));
        return { ok: false, error: expiredCode() };
      case "locked":
        await tx
          .update(pendingRegistrations)
          .set({ state: "locked", attempts: check.attempts, updatedAt: now })
          .where(eq(pendingRegistrations.id, p.id));
        await recordAudit(tx, caller, {
          action: "registration.code_locked",
          entityType: "pending_registration",
          entityId: p.id,
          partnerId: partner.id,
        });
        return { ok: false, error: lockedCode() };
      case "invalid":
        await tx
          .update(pendingRegistrations)
          .set({ attempts: check.attempts, updatedAt: now })
          .where(eq(pendingRegistrations.id, p.id));
        if (codeMatches && !passwordStillOk) {
          return {
            ok: false,
            error: AppError.field(
              "password_mismatch",
              "password",
              "The password differs from the one given in step 1",
              { details: { attemptsRemaining: check.remaining } },
            ),
          };
        }
        return { ok: false, error: invalidCode(check.remaining) };
      case "accepted":
        break;
    }
    const created = await insertClientWithAccount(
      tx,
      {
        partnerId: partner.id,
        email,
        // Set when the code matched before the transaction; checkCode accepts nothing else.
        passwordHash: clientPasswordHash!,
        userType: p.userType,
        emailConfirmedAt: now,
        verificationStatus: "email_verified",
        createdVia: "partner_api",
      },
      partner.defaultCurrency,
    );
    if (!created) {
      await tx
        .update(pendingRegistrations)
        .set({ state: "cancelled", updatedAt: now })
        .where(eq(pendingRegistrations.id, p.id));
      return {
        ok: false,
        error: AppError.field("email_taken", "email", "This email is already registered with this partner"),
      };
    }
    await tx
      .update(pendingRegistrations)
      .set({ state: "confirmed", clientId: created.id, updatedAt: now })
      .where(eq(pendingRegistrations.id, p.id));
    // The new client registered themselves: recorded as the actor of their own registration.
    await recordAudit(tx, callerAs(caller, { type: "client", id: created.id, partnerId: partner.id }), {
      action: "client.register",
      entityType: "client",
      entityId: created.id,
      partnerId: partner.id,
      after: { via: "partner_api", userType: p.userType, verificationStatus: "email_verified" },
    });
    const tokens = await storeRefreshToken(tx, caller, {
      subject: { id: created.id, partnerId: partner.id, email, countryCode: null, userType: p.userType },
      flavour: "partner",
      accessTtlSeconds: PARTNER_ACCESS_TTL_SECONDS,
    });
    return { ok: true, tokens };
  });
  if (!outcome.ok) throw outcome.error;
  return signTokens(outcome.tokens);
}
