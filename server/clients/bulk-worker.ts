import { randomUUID } from "node:crypto";
import os from "node:os";
import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import type { BulkAction, StaffRole } from "../../db/enums";
import { config } from "../../env";
import type { Caller } from "../caller";
import { ensureJob, runningJob, type Job } from "../jobs/runner";
import { log } from "../log";
import { applyBulkBatch, type BulkRun } from "./bulk-apply";
import { MAX_PICKED_CLIENTS } from "./bulk-schemas";

/**
 * The background side of bulk operations: every instance runs this job; each
 * run claims the oldest operation waiting (or its own, or one whose claim
 * lapsed because its process stopped) with SKIP LOCKED and a lease, as the
 * webhook worker claims messages, and does one batch of it. An operation
 * stopped by a restart resumes with the items still pending.
 */

const BULK_JOB = "bulk-operations";
export const BULK_LEASE_MS = 60_000;
/** Clients per transaction of a background operation. */
const BULK_BATCH = 1000;

/** This process's name in claimed_by. */
const WORKER_ID = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

type OperationRow = {
  id: string;
  action: BulkAction;
  reason: string | null;
  total: number;
  staff_id: string | null;
  staff_role: StaffRole | null;
};

/** The caller every audit event of the operation names: the staff member who started it (the start itself is audited with their address and request). */
export function operationCaller(staff: { id: string | null; role: StaffRole | null }): Caller {
  return {
    actor:
      staff.id && staff.role ? { type: "staff", id: staff.id, role: staff.role } : { type: "system", id: BULK_JOB },
    scope: { partnerIds: undefined },
    ip: null,
    requestId: null,
    userAgent: null,
  };
}

async function claim(claimant: string, operationId: string | undefined): Promise<OperationRow | undefined> {
  const result = await getDb().execute<OperationRow>(sql`
    update bulk_operations o set status = 'running', claimed_by = ${claimant},
      claimed_until = now() + ${`${BULK_LEASE_MS} milliseconds`}::interval, updated_at = now()
    from (
      select id from bulk_operations
      where (status = 'queued' or (status = 'running' and (claimed_until < now() or claimed_by = ${claimant})))
        ${operationId === undefined ? sql`` : sql`and id = ${operationId}`}
      order by created_at
      limit 1
      for update skip locked) next
    where o.id = next.id
    returning o.id, o.action, o.reason, o.total, o.created_by_staff_id as staff_id,
      (select role from staff_users s where s.id = o.created_by_staff_id) as staff_role`);
  return result.rows[0];
}

/**
 * One batch of the oldest operation waiting; true while more is waiting.
 * `operationId` narrows a run to one operation (tests drive their own).
 */
export async function runBulkOperations(
  o: { operationId?: string; batchSize?: number; claimant?: string } = {},
): Promise<boolean> {
  const claimant = o.claimant ?? WORKER_ID;
  const op = await claim(claimant, o.operationId);
  if (!op) return false;
  const run: BulkRun = {
    operationId: op.id,
    action: op.action,
    reason: op.reason,
    caller: operationCaller({ id: op.staff_id, role: op.staff_role }),
    claimedBy: claimant,
    leaseMs: BULK_LEASE_MS,
  };
  const outcome = await applyBulkBatch(run, o.batchSize ?? BULK_BATCH);
  if (outcome.finished) await afterFinish(op.id, op.total);
  return !outcome.lost;
}

/** After a large operation the planner's statistics on clients are stale: many rows changed at once. */
export async function afterFinish(operationId: string, total: number): Promise<void> {
  if (total <= MAX_PICKED_CLIENTS) return;
  try {
    await getDb().execute(sql`analyze clients`);
  } catch (error) {
    log.warn("ANALYZE clients after a bulk operation failed", { job: BULK_JOB, operationId, error });
  }
}

/** Starts this process's bulk operation worker once (off with BULK_WORKER=off). */
export function ensureBulkOperationWorker(): Job | undefined {
  if (config().BULK_WORKER !== "on") return undefined;
  return ensureJob({
    name: BULK_JOB,
    intervalMs: 2000,
    run: () => runBulkOperations(),
    failureMessage: "bulk operation batch failed; will retry",
  });
}

/** Runs this instance's worker now (after an operation was queued). */
export function wakeBulkOperationWorker(): void {
  runningJob(BULK_JOB)?.wake();
}
