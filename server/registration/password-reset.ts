import { and, desc, eq, gt, or, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { getDb, type Tx } from "../../db/client";
import { clients, passwordResets } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { inScope } from "../auth/policies";
import { callerAs, scopeOf, staffOf, type Caller } from "../caller";
import { randomToken, safeEqualHex, secretHmac, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { enqueueEmail } from "../mail/outbox";
import { partnerBaseUrl } from "../partners/hosts";
import { findPartnerById, type Partner } from "../partners/lookup";
import { hashPassword } from "../passwords/hasher";
import { partnerPasswordSchema, whiteLabelPasswordSchema } from "../passwords/policy";
import { consumeQuota } from "../quotas/quota";
import { revokeClientSessions, type TokenFlavour } from "../tokens/refresh-tokens";
import {
  canSendCode,
  checkCode,
  codeExpiry,
  newCode,
  refuseSend,
  sendHistoryOf,
  type SendDecision,
} from "./code-lifecycle";
import type { PasswordResetInput } from "./schemas";

/**
 * A client who forgot their password asks for a reset (both flavours, or
 * staff from the back office), gets a code and a link by email, and sets a
 * new password with either. The code follows the registration code rules
 * (code-lifecycle.ts: hashed, single use, five wrong tries lock, the resend
 * cooldown and daily cap); only its lifetime is longer.
 */

const PASSWORD_RESET_TTL_SECONDS = 30 * 60;
/** Reset requests per client address per hour, whatever the addresses they name. */
export const FORGOT_PER_IP_HOUR = 20;
/** Reset requests per partner and email per hour, counted alike whether or not the email is a client's. */
export const FORGOT_PER_ACCOUNT_HOUR = 5;
/** Attempts at setting the new password, per client address and per partner and email, per hour. */
export const RESET_TRIES_PER_IP_HOUR = 30;
export const RESET_TRIES_PER_ACCOUNT_HOUR = 10;
/**
 * Every answer to a reset request takes at least this long, so a known
 * address (a transaction that writes and queues an email) cannot be told
 * from an unknown one (a single read) by the time it takes.
 */
export const FORGOT_ANSWER_FLOOR_MS = 400;

const HOUR = 3600;
const DAY_MS = 24 * 60 * 60 * 1000;

const codeHashFor = (resetId: string, code: string) => secretHmac("password-reset", `${resetId}:${code}`);

/**
 * The link of a reset email, built here and nowhere else: on the partner's
 * own host when it has one. Its page sets the new password with the token
 * through the endpoint of the client's flavour, naming the partner.
 */
async function passwordResetLink(
  tx: Tx,
  o: { partner: Pick<Partner, "id">; token: string; flavour: TokenFlavour },
): Promise<string> {
  const query = new URLSearchParams({
    token: o.token,
    partnerId: String(o.partner.id),
    flavour: o.flavour === "partner" ? "partner" : "white-label",
  });
  return `${await partnerBaseUrl(o.partner, tx)}/reset-password?${query.toString()}`;
}

/** The flavour a client belongs to, for resets nobody asked for through an endpoint (staff send them). */
function flavourOf(createdVia: string): TokenFlavour {
  return createdVia === "partner_api" ? "partner" : "white_label";
}

async function spendQuotas(
  limits: ReadonlyArray<{ scope: string; limit: number; quota: string }>,
  message: string,
  now: Date,
): Promise<void> {
  for (const l of limits) {
    const decision = await consumeQuota(getDb(), { scope: l.scope, limit: l.limit, windowSeconds: HOUR, now });
    if (!decision.allowed)
      throw new AppError("quota_exceeded", message, {
        retryAfterSeconds: decision.retryAfterSeconds,
        details: { quota: l.quota, limit: l.limit },
      });
  }
}

const accountKey = (partnerId: number, email: string) => `${partnerId}:${email.trim().toLowerCase()}`;

async function waitUntil(started: number, floorMs: number): Promise<void> {
  const left = floorMs - (performance.now() - started);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
}

type Issued =
  | { sent: true; resetId: string; expiresAt: Date; resendCount: number }
  | { sent: false; refusal: Exclude<SendDecision, { allowed: true }> };

/**
 * Emails a client a new reset code and link, in the caller's transaction,
 * which already holds the client's row lock (so two requests for one client
 * take turns). The open reset gets the new code; otherwise a fresh one opens.
 * The send rules may refuse; the caller decides whether that is said.
 */
async function issueReset(
  tx: Tx,
  o: { client: { id: string; email: string }; partner: Partner; flavour: TokenFlavour; now: Date },
): Promise<Issued> {
  const pr = passwordResets;
  const { now } = o;
  // Today's resets make up the send history; an open one may be older and must be closed before another opens.
  const rows = await tx
    .select({
      id: pr.id,
      state: pr.state,
      resendCount: pr.resendCount,
      lastSentAt: pr.lastSentAt,
      expiresAt: pr.expiresAt,
      createdAt: pr.createdAt,
    })
    .from(pr)
    .where(
      and(
        eq(pr.clientId, o.client.id),
        or(eq(pr.state, "pending"), gt(pr.createdAt, new Date(now.getTime() - DAY_MS))),
      ),
    )
    .for("update");
  const decision = canSendCode(sendHistoryOf(rows, now), now);
  if (!decision.allowed) return { sent: false, refusal: decision };

  const code = newCode(o.partner);
  const token = randomToken(32);
  const expiresAt = codeExpiry(now, PASSWORD_RESET_TTL_SECONDS);
  const open = rows.find((r) => r.state === "pending" && r.expiresAt.getTime() > now.getTime());
  let resetId: string;
  let resendCount = 0;
  if (open) {
    resetId = open.id;
    resendCount = open.resendCount + 1;
    await tx
      .update(pr)
      .set({
        codeHash: codeHashFor(open.id, code),
        linkTokenHash: sha256Hex(token),
        attempts: 0,
        resendCount,
        lastSentAt: now,
        expiresAt,
        updatedAt: now,
      })
      .where(eq(pr.id, open.id));
  } else {
    if (rows.some((r) => r.state === "pending")) {
      await tx
        .update(pr)
        .set({ state: "expired", updatedAt: now })
        .where(and(eq(pr.clientId, o.client.id), eq(pr.state, "pending")));
    }
    resetId = randomUUID();
    await tx.insert(pr).values({
      id: resetId,
      clientId: o.client.id,
      partnerId: o.partner.id,
      codeHash: codeHashFor(resetId, code),
      linkTokenHash: sha256Hex(token),
      expiresAt,
      lastSentAt: now,
    });
  }
  await enqueueEmail(tx, {
    template: "password_reset_code",
    to: o.client.email,
    data: {
      partnerName: o.partner.name,
      code,
      link: await passwordResetLink(tx, { partner: o.partner, token, flavour: o.flavour }),
      expiresInMinutes: PASSWORD_RESET_TTL_SECONDS / 60,
    },
    partnerId: o.partner.id,
    clientId: o.client.id,
  });
  return { sent: true, resetId, expiresAt, resendCount };
}

/**
 * Step 1 (POST /api/public/password/forgot, POST /reg/password/forgot). The
 * answer is the same, and takes the same time, whether or not the email
 * belongs to an active client of the partner: only the quotas refuse, and
 * they count every address alike. A known client within the send rules gets
 * the email; one asking again too soon gets nothing more, silently.
 */
export async function requestPasswordReset(
  caller: Caller,
  o: { partner: Partner; email: string; flavour: TokenFlavour },
): Promise<void> {
  const started = performance.now();
  const now = new Date();
  await spendQuotas(
    [
      { scope: `password-forgot:ip:${caller.ip ?? "unknown"}`, limit: FORGOT_PER_IP_HOUR, quota: "per_ip_hour" },
      {
        scope: `password-forgot:account:${accountKey(o.partner.id, o.email)}`,
        limit: FORGOT_PER_ACCOUNT_HOUR,
        quota: "per_account_hour",
      },
    ],
    "Too many password reset requests; try again later",
    now,
  );
  try {
    await getDb().transaction(async (tx) => {
      const [client] = await tx
        .select({ id: clients.id, email: clients.email, profileState: clients.profileState })
        .from(clients)
        .where(and(eq(clients.partnerId, o.partner.id), sql`lower(${clients.email}) = lower(${o.email})`))
        .for("update");
      // A suspended or blocked client could not sign in with a new password anyway.
      if (!client || client.profileState !== "active") return;
      const issued = await issueReset(tx, { client, partner: o.partner, flavour: o.flavour, now });
      if (!issued.sent) return;
      await recordAudit(tx, caller, {
        action: "client.password_reset_requested",
        entityType: "client",
        entityId: client.id,
        partnerId: o.partner.id,
        after: { resetId: issued.resetId, expiresAt: issued.expiresAt, resendCount: issued.resendCount },
      });
    });
  } finally {
    await waitUntil(started, FORGOT_ANSWER_FLOOR_MS);
  }
}

type ResetOutcome = { ok: true } | { ok: false; error: AppError };

const invalidCode = (field: string) =>
  AppError.field(
    "confirmation_code_invalid",
    field,
    field === "token" ? "The link is not valid; ask for a new email" : "The code is not valid",
  );
const expiredCode = (field: string) =>
  AppError.field("confirmation_code_expired", field, "The password reset has expired; ask for a new email");
const lockedCode = (field: string) =>
  AppError.field(
    "confirmation_locked",
    field,
    "Too many wrong codes: this password reset is locked; ask for a new email",
  );

/**
 * What a failed reset answers. The email-and-code path answers every failure
 * (no such client, no open reset, a wrong, used, expired or locked code, an
 * inactive client) exactly as an unknown email, so it does not tell who is a
 * client or how far a guesser got; wrong tries still count and lock. The
 * link's token is a secret only the email's reader holds: saying to its
 * holder that their link expired or was locked tells nobody else anything,
 * and tells the owner to ask for a new email.
 */
const refusal = (field: string, kind: "invalid" | "expired" | "locked") =>
  field === "code" || kind === "invalid"
    ? invalidCode(field)
    : kind === "expired"
      ? expiredCode(field)
      : lockedCode(field);

/**
 * Step 2 (POST /api/public/password/reset, POST /reg/password/reset): the
 * emailed code with the address, or the link's token, and the new password
 * (already checked against the endpoint's policy, and checked here against
 * the policy of the client's own flavour). On success the client has
 * the new argon2id hash, every session (refresh-token family) ends, and a
 * "your password was changed" email is queued, in one transaction. The reset
 * row is locked while it is checked and used, so of two requests racing with
 * one code exactly one changes the password; the other finds it used.
 */
export async function resetPassword(
  caller: Caller,
  o: { partner: Partner; input: PasswordResetInput; flavour: TokenFlavour },
): Promise<void> {
  const { input, partner } = o;
  const field = input.token !== undefined ? "token" : "code";
  await spendQuotas(
    [
      { scope: `password-reset:ip:${caller.ip ?? "unknown"}`, limit: RESET_TRIES_PER_IP_HOUR, quota: "per_ip_hour" },
      ...(input.email !== undefined
        ? [
            {
              scope: `password-reset:account:${accountKey(partner.id, input.email)}`,
              limit: RESET_TRIES_PER_ACCOUNT_HOUR,
              quota: "per_account_hour",
            },
          ]
        : []),
    ],
    "Too many password reset attempts; try again later",
    new Date(),
  );
  // Hashed before any lock (argon2 must not hold a row for its whole run), and for unknown addresses too, which then take as long.
  const passwordHash = await hashPassword(input.password);
  const pr = passwordResets;

  const outcome = await getDb().transaction(async (tx): Promise<ResetOutcome> => {
    const now = new Date();
    let clientId: string | undefined;
    if (input.token !== undefined) {
      const [byToken] = await tx
        .select({ clientId: pr.clientId })
        .from(pr)
        .where(and(eq(pr.linkTokenHash, sha256Hex(input.token)), eq(pr.partnerId, partner.id)));
      clientId = byToken?.clientId;
    } else {
      const [byEmail] = await tx
        .select({ id: clients.id })
        .from(clients)
        .where(and(eq(clients.partnerId, partner.id), sql`lower(${clients.email}) = lower(${input.email!})`));
      clientId = byEmail?.id;
    }
    if (!clientId) return { ok: false, error: invalidCode(field) };
    // The client first, then its reset: the order step 1 locks them in.
    const [client] = await tx
      .select({
        id: clients.id,
        email: clients.email,
        profileState: clients.profileState,
        createdVia: clients.createdVia,
      })
      .from(clients)
      .where(eq(clients.id, clientId))
      .for("update");
    // Step 1 sends suspended and blocked clients nothing; a reset they already hold does not work either.
    if (client && client.profileState !== "active") return { ok: false, error: invalidCode(field) };
    const [reset] = await tx
      .select({
        id: pr.id,
        state: pr.state,
        attempts: pr.attempts,
        expiresAt: pr.expiresAt,
        codeHash: pr.codeHash,
        linkTokenHash: pr.linkTokenHash,
      })
      .from(pr)
      .where(eq(pr.clientId, clientId))
      .orderBy(desc(pr.createdAt))
      .limit(1)
      .for("update");
    if (!client || !reset) return { ok: false, error: invalidCode(field) };
    // A token names one email; a newer email's reset replaced it.
    const matches =
      input.token !== undefined
        ? reset.linkTokenHash === sha256Hex(input.token)
        : safeEqualHex(codeHashFor(reset.id, input.code!), reset.codeHash);
    if (input.token !== undefined && !matches) return { ok: false, error: invalidCode(field) };
    const check = checkCode(reset, matches, now);
    switch (check.outcome) {
      case "unusable":
        return { ok: false, error: invalidCode(field) };
      case "expired":
        await tx.update(pr).set({ state: "expired", updatedAt: now }).where(eq(pr.id, reset.id));
        return { ok: false, error: refusal(field, "expired") };
      case "locked":
        await tx
          .update(pr)
          .set({ state: "locked", attempts: check.attempts, updatedAt: now })
          .where(eq(pr.id, reset.id));
        if (reset.state !== "locked") {
          await recordAudit(tx, caller, {
            action: "client.password_reset_locked",
            entityType: "client",
            entityId: client.id,
            partnerId: partner.id,
            after: { resetId: reset.id, attempts: check.attempts },
          });
        }
        return { ok: false, error: refusal(field, "locked") };
      case "invalid":
        await tx.update(pr).set({ attempts: check.attempts, updatedAt: now }).where(eq(pr.id, reset.id));
        return { ok: false, error: invalidCode(field) };
      case "accepted":
        break;
    }
    // The policy is the client's, whichever flavour's endpoint was called. Checked only once the code or
    // token is right, so that a 422 cannot tell a guesser which flavour, or that any client, the email names;
    // the reset stays open for a better password.
    const policy = flavourOf(client.createdVia) === "partner" ? partnerPasswordSchema : whiteLabelPasswordSchema;
    const ownPolicy = policy.safeParse(input.password);
    if (!ownPolicy.success)
      return {
        ok: false,
        error: new AppError("validation_failed", "The request is not valid", {
          fields: ownPolicy.error.issues.map((issue) => ({ path: "password", message: issue.message })),
        }),
      };
    await tx.update(pr).set({ state: "confirmed", updatedAt: now }).where(eq(pr.id, reset.id));
    await tx.update(clients).set({ passwordHash, updatedAt: now }).where(eq(clients.id, client.id));
    const sessionsEnded = await revokeClientSessions(tx, client.id, "password_reset");
    await enqueueEmail(tx, {
      template: "password_changed",
      to: client.email,
      data: { partnerName: partner.name, changedAt: now.toISOString() },
      partnerId: partner.id,
      clientId: client.id,
    });
    await recordAudit(tx, callerAs(caller, { type: "client", id: client.id, partnerId: partner.id }), {
      action: "client.password_reset",
      entityType: "client",
      entityId: client.id,
      partnerId: partner.id,
      after: { resetId: reset.id, via: input.token !== undefined ? "link" : "code", flavour: o.flavour, sessionsEnded },
    });
    return { ok: true };
  });
  if (!outcome.ok) throw outcome.error;
}

/**
 * The back office's "Send password reset": the client gets the same email as
 * from step 1, under the same send rules, and staff learn only when it went
 * out and until when it works; never the code, never the password.
 */
export async function sendPasswordReset(
  caller: Caller,
  input: { clientId: string },
  o: { tx?: Tx; auditNote?: Record<string, unknown> } = {},
): Promise<{ clientId: string; email: string; expiresAt: Date }> {
  staffOf(caller);
  const scope = scopeOf(caller);
  // A bulk action runs it in its own transaction (which holds the client's lock) and names itself in the audit event.
  const inTransaction = <T>(work: (tx: Tx) => Promise<T>) => (o.tx ? work(o.tx) : getDb().transaction(work));
  return inTransaction(async (tx) => {
    const now = new Date();
    const [client] = await tx
      .select({
        id: clients.id,
        email: clients.email,
        partnerId: clients.partnerId,
        profileState: clients.profileState,
        createdVia: clients.createdVia,
      })
      .from(clients)
      .where(eq(clients.id, input.clientId))
      .for("update");
    if (!client || !inScope(scope, client.partnerId)) throw new AppError("not_found", "No such client");
    if (client.profileState !== "active")
      throw new AppError(
        "conflict",
        `The client is ${client.profileState}; activate them before sending a password reset`,
      );
    const partner = await findPartnerById(tx, client.partnerId);
    if (!partner || partner.status !== "active")
      throw new AppError("conflict", "The client's partner is suspended; its clients cannot sign in");
    const issued = await issueReset(tx, { client, partner, flavour: flavourOf(client.createdVia), now });
    if (!issued.sent) throw refuseSend(issued.refusal);
    await recordAudit(tx, caller, {
      action: "client.password_reset_sent",
      entityType: "client",
      entityId: client.id,
      partnerId: client.partnerId,
      after: {
        resetId: issued.resetId,
        expiresAt: issued.expiresAt,
        resendCount: issued.resendCount,
        ...o.auditNote,
      },
    });
    return { clientId: client.id, email: client.email, expiresAt: issued.expiresAt };
  });
}
