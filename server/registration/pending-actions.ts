import { eq } from "drizzle-orm";
import type { z } from "zod";
import { getDb } from "../../db/client";
import { clients, emailConfirmations, pendingRegistrations } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { inScope } from "../auth/policies";
import { scopeOf, staffOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { requireActivePartner } from "../partners/lookup";
import { canSendCode, codeExpiry, newCode, refuseSend, type ConfirmationState } from "./code-lifecycle";
import { resendEmailConfirmation } from "./email-confirmation";
import { emailRegistrationCode, registrationSends } from "./partner-registration";
import type { PendingKind, pendingTargetSchema } from "./schemas";

/**
 * What staff do to a confirmation in the back office's queue: send its code
 * again, under the same send rules as the public endpoints (each kind goes
 * through its public flow's functions), or cancel it. Every change is audited.
 */

type PendingTarget = z.output<typeof pendingTargetSchema>;

export interface ResendResult {
  kind: PendingKind;
  /** The confirmation now waiting: the same id, or a fresh one for an expired email confirmation. */
  id: string;
  resendCount: number;
  expiresAt: Date;
}

const notFound = () => new AppError("not_found", "No such pending confirmation");

function refuseState(state: ConfirmationState, kind: PendingKind): AppError {
  const what = kind === "registration" ? "registration" : "email confirmation";
  const why: Record<ConfirmationState, string> = {
    pending: "",
    confirmed: `This ${what} is already confirmed`,
    cancelled: `This ${what} was cancelled`,
    locked: `This ${what} is locked after too many wrong codes${kind === "registration" ? "; the client must repeat step 1 to start again" : ""}`,
    expired: `This registration has expired; the client must repeat step 1 (POST /reg/user without a code) to get a new code`,
  };
  return new AppError("conflict", why[state], { details: { state } });
}

/** Sends a new code (and link) for a pending confirmation, within the cooldown and daily cap. */
export async function resendPendingConfirmation(caller: Caller, input: PendingTarget): Promise<ResendResult> {
  staffOf(caller);
  return input.kind === "registration"
    ? resendRegistrationCode(caller, input.id)
    : resendConfirmationEmail(caller, input.id);
}

/**
 * A partner-API registration waiting for its code gets a new one, counted
 * as step 1 counts it. Only while it is still open: its code and password
 * hash belong together, so after expiry only the person who chose the
 * password may start again (step 1).
 */
async function resendRegistrationCode(caller: Caller, id: string): Promise<ResendResult> {
  const db = getDb();
  const pr = pendingRegistrations;
  const now = new Date();
  const [row] = await db
    .select({ partnerId: pr.partnerId, email: pr.email, state: pr.state, expiresAt: pr.expiresAt })
    .from(pr)
    .where(eq(pr.id, id));
  if (!row || !inScope(scopeOf(caller), row.partnerId)) throw notFound();
  if (row.state !== "pending") throw refuseState(row.state, "registration");
  if (row.expiresAt.getTime() <= now.getTime()) throw refuseState("expired", "registration");
  const partner = await requireActivePartner(row.partnerId);
  const { history } = await registrationSends(partner.id, row.email, now);
  const decision = canSendCode(history, now);
  if (!decision.allowed) throw refuseSend(decision);
  const code = newCode(partner);

  return db.transaction(async (tx) => {
    const [p] = await tx
      .select({
        id: pr.id,
        email: pr.email,
        state: pr.state,
        attempts: pr.attempts,
        resendCount: pr.resendCount,
        lastSentAt: pr.lastSentAt,
        expiresAt: pr.expiresAt,
      })
      .from(pr)
      .where(eq(pr.id, id))
      .for("update");
    if (!p) throw notFound();
    if (p.state !== "pending") throw refuseState(p.state, "registration");
    if (p.expiresAt.getTime() <= now.getTime()) throw refuseState("expired", "registration");
    const again = canSendCode({ ...history, lastSentAt: p.lastSentAt }, now);
    if (!again.allowed) throw refuseSend(again);
    const expiresAt = codeExpiry(now);
    const codeHash = await emailRegistrationCode(tx, { pendingId: p.id, partner, email: p.email, code });
    await tx
      .update(pr)
      .set({ codeHash, attempts: 0, resendCount: p.resendCount + 1, lastSentAt: now, expiresAt, updatedAt: now })
      .where(eq(pr.id, p.id));
    await recordAudit(tx, caller, {
      action: "pending.resent",
      entityType: "pending_registration",
      entityId: p.id,
      partnerId: partner.id,
      before: { resendCount: p.resendCount, attempts: p.attempts, lastSentAt: p.lastSentAt, expiresAt: p.expiresAt },
      after: { resendCount: p.resendCount + 1, attempts: 0, lastSentAt: now, expiresAt },
    });
    return { kind: "registration" as const, id: p.id, resendCount: p.resendCount + 1, expiresAt };
  });
}

/** A white-label client's confirmation email goes out again through the client's own resend, which audits the staff member. */
async function resendConfirmationEmail(caller: Caller, id: string): Promise<ResendResult> {
  const [row] = await getDb()
    .select({
      clientId: emailConfirmations.clientId,
      partnerId: emailConfirmations.partnerId,
      confirmedAt: clients.emailConfirmedAt,
    })
    .from(emailConfirmations)
    .innerJoin(clients, eq(clients.id, emailConfirmations.clientId))
    .where(eq(emailConfirmations.id, id));
  if (!row || !inScope(scopeOf(caller), row.partnerId)) throw notFound();
  const partner = await requireActivePartner(row.partnerId);
  const resent = await resendEmailConfirmation(caller, { clientId: row.clientId, partner, confirmationId: id });
  return { kind: "email", ...resent };
}

/** Withdraws a pending confirmation: its code stops working at once. */
export async function cancelPendingConfirmation(
  caller: Caller,
  input: PendingTarget,
): Promise<{ kind: PendingKind; id: string; state: "cancelled" }> {
  staffOf(caller);
  const table = input.kind === "registration" ? pendingRegistrations : emailConfirmations;
  return getDb().transaction(async (tx) => {
    const [row] = await tx
      .select({
        id: table.id,
        partnerId: table.partnerId,
        state: table.state,
        attempts: table.attempts,
        resendCount: table.resendCount,
        expiresAt: table.expiresAt,
      })
      .from(table)
      .where(eq(table.id, input.id))
      .for("update");
    if (!row || !inScope(scopeOf(caller), row.partnerId)) throw notFound();
    if (row.state !== "pending") {
      throw new AppError("conflict", `Only a pending confirmation can be cancelled; this one is ${row.state}`, {
        details: { state: row.state },
      });
    }
    const now = new Date();
    await tx.update(table).set({ state: "cancelled", updatedAt: now }).where(eq(table.id, row.id));
    await recordAudit(tx, caller, {
      action: "pending.cancelled",
      entityType: input.kind === "registration" ? "pending_registration" : "email_confirmation",
      entityId: row.id,
      partnerId: row.partnerId,
      before: { state: row.state, attempts: row.attempts, resendCount: row.resendCount, expiresAt: row.expiresAt },
      after: { state: "cancelled" },
    });
    return { kind: input.kind, id: row.id, state: "cancelled" as const };
  });
}
