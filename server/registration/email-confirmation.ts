import { and, desc, eq, sql } from "drizzle-orm";
import { getDb, type Executor, type Tx } from "../../db/client";
import { clients, emailConfirmations } from "../../db/schema";
import type { z } from "zod";
import { recordAudit } from "../audit/record";
import { callerAs, type Caller } from "../caller";
import { randomToken, safeEqualHex, secretHmac, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { enqueueEmail } from "../mail/outbox";
import { partnerBaseUrl } from "../partners/hosts";
import type { Partner } from "../partners/lookup";
import {
  canSendCode,
  checkCode,
  codeExpiry,
  newCode,
  refuseSend,
  sendHistoryOf,
  type ConfirmationState,
} from "./code-lifecycle";
import type { emailConfirmationSchema } from "./schemas";

export const codeHashFor = (clientId: string, code: string) => secretHmac("email-confirmation", `${clientId}:${code}`);

/** On the partner's white-label host when it has one (hosts.ts), so the client stays on the partner's site. */
export async function confirmationLink(tx: Executor | undefined, partner: Partner, token: string): Promise<string> {
  return `${await partnerBaseUrl(partner, tx)}/confirm-email?token=${encodeURIComponent(token)}`;
}

type Outcome = { ok: true; verificationStatus: string } | { ok: false; error: AppError };

const invalid = (field: string) =>
  AppError.field("confirmation_code_invalid", field, "The confirmation code is not valid");

/** Confirms a white-label client's email by the link's token or by client id and code. */
export async function confirmEmail(
  caller: Caller,
  input: z.output<typeof emailConfirmationSchema>,
): Promise<{ verificationStatus: string }> {
  // Either the link's token, or the client id and the code from the email.
  const sent: { token?: string; clientId?: string; code?: string } = input;
  const field = sent.token ? "token" : "code";
  const outcome = await getDb().transaction(async (tx): Promise<Outcome> => {
    const now = new Date();
    // By code: the client's newest confirmation whatever its state, so a locked or
    // expired one answers as such (as in the partner flow) rather than as a wrong code.
    const where = sent.token
      ? eq(emailConfirmations.linkTokenHash, sha256Hex(sent.token))
      : eq(emailConfirmations.clientId, sent.clientId!);
    const [c] = await tx
      .select({
        id: emailConfirmations.id,
        clientId: emailConfirmations.clientId,
        partnerId: emailConfirmations.partnerId,
        state: emailConfirmations.state,
        attempts: emailConfirmations.attempts,
        expiresAt: emailConfirmations.expiresAt,
        codeHash: emailConfirmations.codeHash,
      })
      .from(emailConfirmations)
      .where(where)
      .orderBy(desc(emailConfirmations.createdAt))
      .limit(1)
      .for("update");
    if (!c) {
      // Already confirmed through another route is not an error for the person clicking twice.
      if (sent.clientId) {
        const [client] = await tx
          .select({ confirmed: clients.emailConfirmedAt })
          .from(clients)
          .where(eq(clients.id, sent.clientId));
        if (client?.confirmed)
          return { ok: false, error: new AppError("already_confirmed", "This email is already confirmed") };
      }
      return { ok: false, error: invalid(field) };
    }
    if (c.state === "confirmed")
      return { ok: false, error: new AppError("already_confirmed", "This email is already confirmed") };
    const matches = sent.token ? true : safeEqualHex(codeHashFor(c.clientId, sent.code!), c.codeHash);
    const check = checkCode(c, matches, now);
    if (check.outcome !== "accepted") {
      if (check.outcome === "unusable") return { ok: false, error: invalid(field) };
      const patch =
        check.outcome === "expired" ? { state: "expired" as const } : { state: check.state, attempts: check.attempts };
      await tx
        .update(emailConfirmations)
        .set({ ...patch, updatedAt: now })
        .where(eq(emailConfirmations.id, c.id));
      if (check.outcome === "expired")
        return {
          ok: false,
          error: AppError.field(
            "confirmation_code_expired",
            field,
            "The confirmation has expired; ask for a new email",
          ),
        };
      if (check.outcome === "locked")
        return {
          ok: false,
          error: AppError.field("confirmation_locked", field, "Too many wrong codes; ask for a new email"),
        };
      return {
        ok: false,
        error: AppError.field("confirmation_code_invalid", field, "The confirmation code is not valid", {
          details: { attemptsRemaining: check.remaining },
        }),
      };
    }
    await tx
      .update(emailConfirmations)
      .set({ state: "confirmed", updatedAt: now })
      .where(eq(emailConfirmations.id, c.id));
    // The status before, for the audit event (and the partner's client.verification_changed): the update returns only the new one.
    const [was] = await tx
      .select({ verificationStatus: clients.verificationStatus })
      .from(clients)
      .where(eq(clients.id, c.clientId))
      .for("update");
    const [client] = await tx
      .update(clients)
      .set({
        emailConfirmedAt: now,
        verificationStatus: sql`case when ${clients.verificationStatus} = 'not_verified' then 'email_verified'::verification_status else ${clients.verificationStatus} end`,
        updatedAt: now,
      })
      .where(eq(clients.id, c.clientId))
      .returning({ verificationStatus: clients.verificationStatus });
    // Whoever holds the code or the link is taken to be the client: the confirmation is theirs.
    const confirmer = callerAs(caller, { type: "client", id: c.clientId, partnerId: c.partnerId });
    await recordAudit(tx, confirmer, {
      action: "client.email_confirmed",
      entityType: "client",
      entityId: c.clientId,
      partnerId: c.partnerId,
      before: { verificationStatus: was!.verificationStatus },
      after: { verificationStatus: client!.verificationStatus },
    });
    return { ok: true, verificationStatus: client!.verificationStatus };
  });
  if (!outcome.ok) throw outcome.error;
  return { verificationStatus: outcome.verificationStatus };
}

export interface ResentConfirmation {
  /** The confirmation now waiting: the same one, or a fresh one when it had expired. */
  id: string;
  resendCount: number;
  expiresAt: Date;
}

const notResendable: Record<Exclude<ConfirmationState, "pending" | "expired">, string> = {
  confirmed: "This email confirmation is already confirmed",
  cancelled: "This email confirmation was cancelled",
  locked: "This email confirmation is locked after too many wrong codes",
};

/**
 * Emails a white-label client a new code and link: the client's own resend
 * (POST /api/public/confirm-email/resend) and the back office's (a staff
 * caller, recorded in the audit log) are this one function, under one send
 * rule (code-lifecycle.ts: every confirmation email of the client's last day).
 * The open confirmation gets the new code; when it has expired, or none is
 * open (a locked or cancelled one), a fresh one opens. The back office names
 * the confirmation it acts on (`confirmationId`), which must still be open or
 * have expired.
 */
export async function resendEmailConfirmation(
  caller: Caller,
  o: {
    clientId: string;
    partner: Partner;
    confirmationId?: string;
    /** A bulk action's transaction (holding the client's lock) and what its audit event adds. */
    tx?: Tx;
    auditNote?: Record<string, unknown>;
  },
): Promise<ResentConfirmation> {
  const ec = emailConfirmations;
  const code = newCode(o.partner);
  const token = randomToken(32);
  const inTransaction = <T>(work: (tx: Tx) => Promise<T>) => (o.tx ? work(o.tx) : getDb().transaction(work));
  return inTransaction(async (tx) => {
    const now = new Date();
    const [client] = await tx
      .select({ email: clients.email, confirmed: clients.emailConfirmedAt })
      .from(clients)
      .where(eq(clients.id, o.clientId));
    if (!client) throw new AppError("not_found", "No such client");
    if (client.confirmed) throw new AppError("already_confirmed", "This email is already confirmed");
    // Every confirmation of the client, locked: they make up the send history and must not change under us.
    const all = await tx
      .select({
        id: ec.id,
        state: ec.state,
        attempts: ec.attempts,
        resendCount: ec.resendCount,
        lastSentAt: ec.lastSentAt,
        expiresAt: ec.expiresAt,
        createdAt: ec.createdAt,
      })
      .from(ec)
      .where(eq(ec.clientId, o.clientId))
      .for("update");
    const open = all.filter((c) => c.state === "pending");
    const target = o.confirmationId === undefined ? open[0] : all.find((c) => c.id === o.confirmationId);
    if (o.confirmationId !== undefined) {
      if (!target) throw new AppError("not_found", "No such pending confirmation");
      if (target.state !== "pending" && target.state !== "expired")
        throw new AppError("conflict", notResendable[target.state], { details: { state: target.state } });
    }
    const decision = canSendCode(sendHistoryOf(all, now), now);
    if (!decision.allowed) throw refuseSend(decision);

    const expiresAt = codeExpiry(now);
    const codeHash = codeHashFor(o.clientId, code);
    let id: string;
    let resendCount: number;
    if (target?.state === "pending" && target.expiresAt.getTime() > now.getTime()) {
      id = target.id;
      resendCount = target.resendCount + 1;
      await tx
        .update(ec)
        .set({
          codeHash,
          linkTokenHash: sha256Hex(token),
          attempts: 0,
          resendCount,
          lastSentAt: now,
          expiresAt,
          updatedAt: now,
        })
        .where(eq(ec.id, target.id));
    } else {
      if (o.confirmationId !== undefined && open.some((c) => c.id !== o.confirmationId)) {
        throw new AppError("conflict", "A newer confirmation is open for this client; resend that one", {
          details: { state: target?.state },
        });
      }
      // The open one has expired: close it, and open a fresh confirmation.
      if (open.length > 0)
        await tx
          .update(ec)
          .set({ state: "expired", updatedAt: now })
          .where(and(eq(ec.clientId, o.clientId), eq(ec.state, "pending")));
      resendCount = 0;
      const [fresh] = await tx
        .insert(ec)
        .values({
          clientId: o.clientId,
          partnerId: o.partner.id,
          codeHash,
          linkTokenHash: sha256Hex(token),
          expiresAt,
          lastSentAt: now,
        })
        .returning({ id: ec.id });
      id = fresh!.id;
    }
    await enqueueEmail(tx, {
      template: "email_confirmation",
      to: client.email,
      data: { partnerName: o.partner.name, code, link: await confirmationLink(tx, o.partner, token) },
      partnerId: o.partner.id,
      clientId: o.clientId,
    });
    if (caller.actor.type === "staff" && target) {
      await recordAudit(tx, caller, {
        action: "pending.resent",
        entityType: "email_confirmation",
        entityId: target.id,
        partnerId: o.partner.id,
        before: {
          state: target.state,
          resendCount: target.resendCount,
          attempts: target.attempts,
          lastSentAt: target.lastSentAt,
          expiresAt: target.expiresAt,
        },
        after:
          id === target.id
            ? { state: "pending", resendCount, attempts: 0, lastSentAt: now, expiresAt, ...o.auditNote }
            : { state: "expired", freshConfirmationId: id, expiresAt, ...o.auditNote },
      });
    }
    return { id, resendCount, expiresAt };
  });
}
