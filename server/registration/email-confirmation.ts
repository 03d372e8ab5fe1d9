import { and, desc, eq, sql } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { clients, emailConfirmations } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { config } from "../../env";
import { randomDigits, randomToken, safeEqualHex, secretHmac, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { enqueueEmail } from "../mail/outbox";
import type { Partner } from "../partners/partners";
import { canSendCode, checkCode, codeExpiry, SANDBOX_CODE } from "./code-lifecycle";
import type { RequestMeta } from "./partner-registration";

export const codeHashFor = (clientId: string, code: string) => secretHmac("email-confirmation", `${clientId}:${code}`);

export function confirmationLink(token: string): string {
  return `${config().APP_URL.replace(/\/$/, "")}/confirm-email?token=${encodeURIComponent(token)}`;
}

/** Opens an email confirmation for a new white-label client and queues its email, in the caller's transaction. */
export async function openEmailConfirmation(tx: Tx, o: { clientId: string; email: string; partner: Partner }): Promise<void> {
  const now = new Date();
  const code = o.partner.sandbox ? SANDBOX_CODE : randomDigits(6);
  const token = randomToken(32);
  await tx.insert(emailConfirmations).values({
    clientId: o.clientId,
    partnerId: o.partner.id,
    codeHash: codeHashFor(o.clientId, code),
    linkTokenHash: sha256Hex(token),
    expiresAt: codeExpiry(now),
    lastSentAt: now,
  });
  await enqueueEmail(tx, {
    template: "email_confirmation",
    to: o.email,
    data: { partnerName: o.partner.name, code, link: confirmationLink(token) },
    partnerId: o.partner.id,
    clientId: o.clientId,
  });
}

type Outcome = { ok: true; verificationStatus: string } | { ok: false; error: AppError };

const invalid = (field: string) => AppError.field("confirmation_code_invalid", field, "The confirmation code is not valid");

/** Confirms a white-label client's email by the link's token or by client id and code. */
export async function confirmEmail(o: { token?: string; clientId?: string; code?: string; meta: RequestMeta }): Promise<{ verificationStatus: string }> {
  const field = o.token ? "token" : "code";
  const outcome = await getDb().transaction(async (tx): Promise<Outcome> => {
    const now = new Date();
    // By code: the client's newest confirmation whatever its state, so a locked or
    // expired one answers as such (as in the partner flow) rather than as a wrong code.
    const where = o.token ? eq(emailConfirmations.linkTokenHash, sha256Hex(o.token)) : eq(emailConfirmations.clientId, o.clientId!);
    const [c] = await tx
      .select({ id: emailConfirmations.id, clientId: emailConfirmations.clientId, partnerId: emailConfirmations.partnerId, state: emailConfirmations.state, attempts: emailConfirmations.attempts, expiresAt: emailConfirmations.expiresAt, codeHash: emailConfirmations.codeHash })
      .from(emailConfirmations)
      .where(where)
      .orderBy(desc(emailConfirmations.createdAt))
      .limit(1)
      .for("update");
    if (!c) {
      // Already confirmed through another route is not an error for the person clicking twice.
      if (o.clientId) {
        const [client] = await tx.select({ confirmed: clients.emailConfirmedAt }).from(clients).where(eq(clients.id, o.clientId));
        if (client?.confirmed) return { ok: false, error: new AppError("already_confirmed", "This email is already confirmed") };
      }
      return { ok: false, error: invalid(field) };
    }
    if (c.state === "confirmed") return { ok: false, error: new AppError("already_confirmed", "This email is already confirmed") };
    const matches = o.token ? true : safeEqualHex(codeHashFor(c.clientId, o.code!), c.codeHash);
    const check = checkCode(c, matches, now);
    if (check.outcome !== "accepted") {
      if (check.outcome === "unusable") return { ok: false, error: invalid(field) };
      const patch = check.outcome === "expired" ? { state: "expired" as const } : { state: check.state, attempts: check.attempts };
      await tx.update(emailConfirmations).set({ ...patch, updatedAt: now }).where(eq(emailConfirmations.id, c.id));
      if (check.outcome === "expired") return { ok: false, error: AppError.field("confirmation_code_expired", field, "The confirmation has expired; ask for a new email") };
      if (check.outcome === "locked") return { ok: false, error: AppError.field("confirmation_locked", field, "Too many wrong codes; ask for a new email") };
      return { ok: false, error: AppError.field("confirmation_code_invalid", field, "The confirmation code is not valid", { details: { attemptsRemaining: check.remaining } }) };
    }
    await tx.update(emailConfirmations).set({ state: "confirmed", updatedAt: now }).where(eq(emailConfirmations.id, c.id));
    const [client] = await tx
      .update(clients)
      .set({
        emailConfirmedAt: now,
        verificationStatus: sql`case when ${clients.verificationStatus} = 'not_verified' then 'email_verified'::verification_status else ${clients.verificationStatus} end`,
        updatedAt: now,
      })
      .where(eq(clients.id, c.clientId))
      .returning({ verificationStatus: clients.verificationStatus });
    await recordAudit(tx, { actor: { type: "client", id: c.clientId }, action: "client.email_confirmed", entityType: "client", entityId: c.clientId, partnerId: c.partnerId, after: { verificationStatus: client!.verificationStatus }, ip: o.meta.ip, requestId: o.meta.requestId });
    return { ok: true, verificationStatus: client!.verificationStatus };
  });
  if (!outcome.ok) throw outcome.error;
  return { verificationStatus: outcome.verificationStatus };
}

/** Sends a fresh confirmation email (new code and link), respecting the cooldown and the daily cap. */
export async function resendEmailConfirmation(o: { clientId: string; partner: Partner; meta: RequestMeta }): Promise<void> {
  await getDb().transaction(async (tx) => {
    const now = new Date();
    const [client] = await tx.select({ email: clients.email, confirmed: clients.emailConfirmedAt }).from(clients).where(eq(clients.id, o.clientId));
    if (!client) throw new AppError("not_found", "No such client");
    if (client.confirmed) throw new AppError("already_confirmed", "This email is already confirmed");
    const [open] = await tx
      .select({ id: emailConfirmations.id, lastSentAt: emailConfirmations.lastSentAt, resendCount: emailConfirmations.resendCount, createdAt: emailConfirmations.createdAt })
      .from(emailConfirmations)
      .where(and(eq(emailConfirmations.clientId, o.clientId), eq(emailConfirmations.state, "pending")))
      .for("update");
    const decision = canSendCode({ lastSentAt: open?.lastSentAt, sendsInLastDay: open ? open.resendCount + 1 : 0, firstSendInLastDay: open?.createdAt }, now);
    if (!decision.allowed) {
      throw decision.reason === "cooldown"
        ? new AppError("resend_cooldown", `An email was sent moments ago; ask again in ${decision.retryAfterSeconds} seconds`, { retryAfterSeconds: decision.retryAfterSeconds })
        : new AppError("resend_limit_reached", "Too many emails were sent today; try again later", { retryAfterSeconds: decision.retryAfterSeconds });
    }
    const code = o.partner.sandbox ? SANDBOX_CODE : randomDigits(6);
    const token = randomToken(32);
    if (open) {
      await tx
        .update(emailConfirmations)
        .set({ codeHash: codeHashFor(o.clientId, code), linkTokenHash: sha256Hex(token), attempts: 0, resendCount: open.resendCount + 1, lastSentAt: now, expiresAt: codeExpiry(now), updatedAt: now })
        .where(eq(emailConfirmations.id, open.id));
    } else {
      await tx.update(emailConfirmations).set({ state: "expired", updatedAt: now }).where(and(eq(emailConfirmations.clientId, o.clientId), eq(emailConfirmations.state, "pending")));
      await tx.insert(emailConfirmations).values({ clientId: o.clientId, partnerId: o.partner.id, codeHash: codeHashFor(o.clientId, code), linkTokenHash: sha256Hex(token), expiresAt: codeExpiry(now), lastSentAt: now });
    }
    await enqueueEmail(tx, { template: "email_confirmation", to: client.email, data: { partnerName: o.partner.name, code, link: confirmationLink(token) }, partnerId: o.partner.id, clientId: o.clientId });
  });
}
