import { sql } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import type { BulkAction, ClientState } from "../../db/enums";
import { recordAuditMany } from "../audit/record-many";
import type { AuditEvent } from "../audit/record";
import type { Caller } from "../caller";
import { AppError, toAppError } from "../errors";
import { log } from "../log";
import { findPartnerById } from "../partners/lookup";
import { resendEmailConfirmation } from "../registration/email-confirmation";
import { sendPasswordReset } from "../registration/password-reset";
import { STATE_ACTIONS } from "./bulk-schemas";

/**
 * One batch of a bulk operation: its next pending items, each client locked
 * and compared with the version staff selected (updated_at, compared in SQL
 * to the microsecond), in one transaction. A client that changed since, or
 * for which the action does not apply, is skipped with the reason; the rest
 * are changed set-based (one UPDATE for the clients, one for their sessions,
 * one statement for every audit event and webhook message of the batch).
 * Items leave "pending" in the same transaction as their change, so a batch
 * retried after a crash never applies an item twice.
 */

export interface BulkRun {
  operationId: string;
  action: BulkAction;
  reason: string | null;
  /** Who started the operation: every audit event names them. */
  caller: Caller;
  /** The claim the batch runs under: a batch whose claim was taken over does nothing. */
  claimedBy: string;
  leaseMs: number;
}

export interface BatchOutcome {
  processed: number;
  /** The operation is finished: nothing pending, or cancelled. */
  finished: boolean;
  /** The claim was lost (taken over after it lapsed): stop without touching the operation. */
  lost: boolean;
}

type ItemStatus = "done" | "skipped" | "failed";
interface Decided {
  clientId: string;
  status: ItemStatus;
  outcome: string | null;
}

type Locked = {
  id: string;
  partner_id: number;
  profile_state: ClientState;
  confirmed: boolean;
  unchanged: boolean;
};

const CHANGED = "Changed since it was selected; left as it is";
const STATE_WORDS: Record<ClientState, string> = { active: "active", suspended: "suspended", blocked: "blocked" };

/** Runs the next batch of at most `limit` items. */
export async function applyBulkBatch(run: BulkRun, limit: number): Promise<BatchOutcome> {
  try {
    return await getDb().transaction((tx) => batch(tx, run, limit));
  } catch (error) {
    // A batch refused as a whole (a lock timeout, a value the database refused) is tried again item by item,
    // so one bad client cannot hold up the others: an item that still fails is reported failed.
    const { error: appError, unexpected } = toAppError(error);
    log.warn("bulk operation batch failed; trying its items one by one", {
      job: "bulk-operations",
      operationId: run.operationId,
      code: appError.code,
      error: unexpected ? error : undefined,
    });
    let processed = 0;
    for (let i = 0; i < limit; i++) {
      const one = await getDb()
        .transaction((tx) => batch(tx, run, 1))
        .catch(async (itemError: unknown) => {
          await markNextFailed(run, itemError);
          return { processed: 1, finished: false, lost: false };
        });
      processed += one.processed;
      if (one.finished || one.lost || one.processed === 0) return { ...one, processed };
    }
    return { processed, finished: false, lost: false };
  }
}

async function batch(tx: Tx, run: BulkRun, limit: number): Promise<BatchOutcome> {
  const [op] = (
    await tx.execute<{ claimed_by: string | null; cancel_requested: boolean; status: string }>(sql`
      select claimed_by, cancel_requested, status from bulk_operations where id = ${run.operationId} for update`)
  ).rows;
  if (!op || op.status !== "running" || op.claimed_by !== run.claimedBy)
    return { processed: 0, finished: false, lost: true };
  if (op.cancel_requested) {
    await finish(tx, run, "cancelled");
    return { processed: 0, finished: true, lost: false };
  }
  const locked = (
    await tx.execute<Locked>(sql`
      select c.id, c.partner_id, c.profile_state, c.email_confirmed_at is not null as confirmed,
             c.updated_at = i.expected_updated_at as unchanged
      from bulk_operation_items i
      join clients c on c.id = i.client_id
      where i.operation_id = ${run.operationId} and i.status = 'pending'
      order by i.client_id
      limit ${limit}
      for update of i, c`)
  ).rows;
  if (locked.length === 0) {
    await finish(tx, run, "completed");
    return { processed: 0, finished: true, lost: false };
  }
  const decided = await decide(tx, run, locked);
  await tx.execute(sql`
    update bulk_operation_items i set status = v.status::bulk_item_status, outcome = v.outcome
    from jsonb_to_recordset(${JSON.stringify(decided)}::jsonb) as v("clientId" uuid, status text, outcome text)
    where i.operation_id = ${run.operationId} and i.client_id = v."clientId"`);
  const count = (s: ItemStatus) => decided.filter((d) => d.status === s).length;
  await tx.execute(sql`
    update bulk_operations set
      processed = processed + ${decided.length}, succeeded = succeeded + ${count("done")},
      skipped = skipped + ${count("skipped")}, failed = failed + ${count("failed")},
      claimed_until = now() + ${`${run.leaseMs} milliseconds`}::interval, updated_at = now()
    where id = ${run.operationId}`);
  return { processed: decided.length, finished: false, lost: false };
}

async function finish(tx: Tx, run: BulkRun, status: "completed" | "cancelled"): Promise<void> {
  await tx.execute(sql`
    update bulk_operations set status = ${status}::bulk_operation_status, finished_at = now(), updated_at = now(),
      claimed_by = null, claimed_until = null
    where id = ${run.operationId}`);
}

/** The item a failing single-item batch stopped at is reported failed, so the operation moves on. */
async function markNextFailed(run: BulkRun, error: unknown): Promise<void> {
  const { error: appError, unexpected } = toAppError(error);
  if (unexpected)
    log.error("bulk operation item failed", { job: "bulk-operations", operationId: run.operationId, error });
  const outcome = unexpected ? "Could not be changed; try again" : appError.message;
  await getDb().execute(sql`
    with next as (
      select client_id from bulk_operation_items
      where operation_id = ${run.operationId} and status = 'pending' order by client_id limit 1)
    , marked as (
      update bulk_operation_items i set status = 'failed', outcome = ${outcome}
      from next where i.operation_id = ${run.operationId} and i.client_id = next.client_id
      returning 1)
    update bulk_operations set processed = processed + (select count(*) from marked)::int,
      failed = failed + (select count(*) from marked)::int, updated_at = now()
    where id = ${run.operationId}`);
}

async function decide(tx: Tx, run: BulkRun, locked: Locked[]): Promise<Decided[]> {
  const skip = (clientId: string, outcome: string): Decided => ({ clientId, status: "skipped", outcome });
  const changed = locked.filter((c) => !c.unchanged).map((c) => skip(c.id, CHANGED));
  const current = locked.filter((c) => c.unchanged);
  const note = { bulkOperationId: run.operationId };
  switch (run.action) {
    case "block":
    case "suspend":
    case "reactivate": {
      const target = STATE_ACTIONS[run.action];
      const already = current.filter((c) => c.profile_state === target);
      const apply = current.filter((c) => c.profile_state !== target);
      const revoked = await changeStates(tx, apply, target);
      await recordAuditMany(
        tx,
        run.caller,
        apply.map((c): AuditEvent => ({
          action: "client.state_changed",
          entityType: "client",
          entityId: c.id,
          partnerId: c.partner_id,
          before: { state: c.profile_state },
          after: { state: target, reason: run.reason, sessionsRevoked: revoked.get(c.id) ?? 0, ...note },
        })),
      );
      return [
        ...changed,
        ...already.map((c) => skip(c.id, `Already ${STATE_WORDS[target]}`)),
        ...apply.map((c): Decided => ({ clientId: c.id, status: "done", outcome: null })),
      ];
    }
    case "revoke_sessions": {
      const revoked = await revokeSessions(
        tx,
        current.map((c) => c.id),
        "staff_revoked",
      );
      const ended = current.filter((c) => (revoked.get(c.id) ?? 0) > 0);
      await recordAuditMany(
        tx,
        run.caller,
        ended.map((c): AuditEvent => ({
          action: "client.session_revoked",
          entityType: "client",
          entityId: c.id,
          partnerId: c.partner_id,
          after: { familyId: "all", tokensRevoked: revoked.get(c.id), ...note },
        })),
      );
      return [
        ...changed,
        ...current.filter((c) => !revoked.get(c.id)).map((c) => skip(c.id, "No open sessions")),
        ...ended.map((c): Decided => ({ clientId: c.id, status: "done", outcome: null })),
      ];
    }
    case "resend_confirmation":
    case "send_password_reset": {
      const out: Decided[] = [...changed];
      for (const c of current) out.push(await sendOne(tx, run, c));
      return out;
    }
  }
}

/** Emails go one client at a time, each under its own send rules (cooldown, daily cap), in a savepoint of the batch. */
async function sendOne(tx: Tx, run: BulkRun, c: Locked): Promise<Decided> {
  const note = { bulkOperationId: run.operationId };
  if (run.action === "resend_confirmation" && c.confirmed)
    return { clientId: c.id, status: "skipped", outcome: "Email already confirmed" };
  try {
    await tx.transaction(async (sp) => {
      if (run.action === "send_password_reset") {
        await sendPasswordReset(run.caller, { clientId: c.id }, { tx: sp, auditNote: note });
        return;
      }
      const open = (
        await sp.execute<{ id: string }>(sql`
          select id from email_confirmations where client_id = ${c.id} and state = 'pending' limit 1`)
      ).rows[0];
      if (!open) throw new AppError("conflict", "No pending email confirmation");
      const partner = await findPartnerById(sp, c.partner_id);
      if (!partner || partner.status !== "active")
        throw new AppError("conflict", "The client's partner is suspended; its clients get no email");
      await resendEmailConfirmation(run.caller, {
        clientId: c.id,
        partner,
        confirmationId: open.id,
        tx: sp,
        auditNote: note,
      });
    });
    return { clientId: c.id, status: "done", outcome: null };
  } catch (error) {
    const { error: appError, unexpected } = toAppError(error);
    if (unexpected) {
      log.error("bulk operation item failed", { job: "bulk-operations", operationId: run.operationId, error });
      return { clientId: c.id, status: "failed", outcome: "Could not be sent; try again" };
    }
    // The send rules or the client's state refuse it: the action does not apply now.
    return { clientId: c.id, status: "skipped", outcome: appError.message };
  }
}

/** Sets the state of these clients (bumping updated_at); blocking or suspending ends their sessions too. */
async function changeStates(tx: Tx, rows: Locked[], target: ClientState): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const ids = rows.map((c) => c.id);
  await tx.execute(sql`
    update clients set profile_state = ${target}::client_state, updated_at = now()
    where id = any(${pgUuidArray(ids)}::uuid[])`);
  return target === "active" ? new Map() : revokeSessions(tx, ids, `client_${target}`);
}

/** Ends every open session of these clients; how many refresh tokens each lost. */
async function revokeSessions(tx: Tx, ids: string[], reason: string): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = (
    await tx.execute<{ client_id: string; n: number }>(sql`
      with revoked as (
        update refresh_tokens set revoked_at = now(), revoked_reason = ${reason}
        where client_id = any(${pgUuidArray(ids)}::uuid[]) and revoked_at is null
        returning client_id)
      select client_id, count(*)::int as n from revoked group by client_id`)
  ).rows;
  return new Map(rows.map((r) => [r.client_id, r.n]));
}

/** A uuid[] literal: ids here come from the database, never from input. */
const pgUuidArray = (ids: string[]) => `{${ids.join(",")}}`;
