import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import type { BulkAction } from "../../db/enums";
import { recordAudit } from "../audit/record";
import { scopeOf, staffOf, type Caller } from "../caller";
import { AppError } from "../errors";
import { applyBulkBatch } from "./bulk-apply";
import { MAX_PICKED_CLIENTS, type StartBulkInput } from "./bulk-schemas";
import { afterFinish, BULK_LEASE_MS, operationCaller, wakeBulkOperationWorker } from "./bulk-worker";
import { clientFilterConditions } from "./list";

/**
 * Bulk actions on the Clients list (decision 0024). An operation records the
 * action, the reason and, per client, the updated_at staff saw. Up to 500
 * picked clients are changed in the request; a filter-wide selection is
 * captured when the operation starts and changed in the background
 * (bulk-worker.ts). Either way the result is read the same way: counts, and
 * each skipped or failed client with its reason.
 */

export interface BulkOperationSummary {
  id: string;
  action: BulkAction;
  reason: string | null;
  status: "queued" | "running" | "completed" | "cancelled" | "failed";
  filterWide: boolean;
  total: number;
  processed: number;
  succeeded: number;
  skipped: number;
  failed: number;
  cancelRequested: boolean;
  createdBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface BulkOperationItem {
  clientId: string;
  email: string;
  status: "pending" | "done" | "skipped" | "failed";
  outcome: string | null;
}

export interface BulkOperationView extends BulkOperationSummary {
  /** Skipped and failed clients first (they need a look), then the rest, up to the limit asked for. */
  items: BulkOperationItem[];
}

/** Only operations and admin act on many clients; a KAM exports only (the export route). */
function actingStaff(caller: Caller) {
  const staff = staffOf(caller);
  if (staff.role === "kam") throw new AppError("forbidden", "Key account managers may only export clients");
  return staff;
}

/** Starts a bulk action; a picked selection is done when this returns, a filter-wide one runs in the background. */
export async function startBulkOperation(caller: Caller, input: StartBulkInput): Promise<BulkOperationView> {
  const staff = actingStaff(caller);
  const { action, selection } = input;
  const reason = input.reason ? input.reason : null;
  const id = randomUUID();
  const claimant = `request:${caller.requestId ?? id}`;
  const db = getDb();

  if (selection.clientIds) {
    const picked = dedupe(selection.clientIds);
    if (picked.length > MAX_PICKED_CLIENTS)
      throw AppError.field("validation_failed", "selection.clientIds", "Too many");
    await db.transaction(async (tx) => {
      const known = (
        await tx.execute<{ id: string; partner_id: number }>(sql`
          select id, partner_id from clients where id = any(${`{${picked.map((p) => p.id).join(",")}}`}::uuid[])`)
      ).rows;
      const scope = scopeOf(caller);
      const visible = new Set(
        known.filter((k) => scope.partnerIds === undefined || scope.partnerIds.includes(k.partner_id)).map((k) => k.id),
      );
      const missing = picked.map((p, i) => ({ ...p, i })).filter((p) => !visible.has(p.id));
      if (missing.length > 0)
        throw new AppError("not_found", "Some selected clients do not exist", {
          fields: missing.map((m) => ({ path: `selection.clientIds.${m.i}.id`, message: "No such client" })),
        });
      await tx.execute(sql`
        insert into bulk_operations (id, action, reason, status, total, created_by_staff_id, claimed_by, claimed_until)
        values (${id}, ${action}::bulk_action, ${reason}, 'running', ${picked.length}, ${staff.id}, ${claimant},
          now() + ${`${BULK_LEASE_MS} milliseconds`}::interval)`);
      await tx.execute(sql`
        insert into bulk_operation_items (operation_id, client_id, expected_updated_at)
        select ${id}, p.id, p."updatedAt"::timestamptz
        from jsonb_to_recordset(${JSON.stringify(picked)}::jsonb) as p(id uuid, "updatedAt" text)`);
      await auditStart(tx, caller, { id, action, reason, total: picked.length, picked: true });
    });
    // The request runs it; were it to stop half-way, the claim lapses and a worker finishes the rest.
    const run = { operationId: id, action, reason, caller: operationCaller(staff), claimedBy: claimant };
    for (;;) {
      const outcome = await applyBulkBatch({ ...run, leaseMs: BULK_LEASE_MS }, MAX_PICKED_CLIENTS);
      if (outcome.finished || outcome.lost) break;
    }
    await afterFinish(id, picked.length);
    return getBulkOperation(caller, { id, itemLimit: MAX_PICKED_CLIENTS });
  }

  const filter = selection.filter!;
  const where = clientFilterConditions(scopeOf(caller), filter);
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into bulk_operations (id, action, reason, filter, status, created_by_staff_id)
      values (${id}, ${action}::bulk_action, ${reason}, ${JSON.stringify(filter)}::jsonb, 'queued', ${staff.id})`);
    // Each client's version is the one it has now, when staff asked: a client changed after this is skipped.
    const captured = where
      ? await tx.execute(sql`
          insert into bulk_operation_items (operation_id, client_id, expected_updated_at)
          select ${id}, clients.id, clients.updated_at from clients where ${where}`)
      : { rowCount: 0 };
    const total = captured.rowCount ?? 0;
    if (total === 0) throw AppError.field("conflict", "selection.filter", "No clients match these filters");
    await tx.execute(sql`update bulk_operations set total = ${total} where id = ${id}`);
    await auditStart(tx, caller, { id, action, reason, total, filter });
  });
  wakeBulkOperationWorker();
  return getBulkOperation(caller, { id, itemLimit: 0 });
}

function dedupe<T extends { id: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.id) && seen.add(item.id));
}

async function auditStart(
  tx: Parameters<typeof recordAudit>[0],
  caller: Caller,
  o: { id: string; action: BulkAction; reason: string | null; total: number; picked?: boolean; filter?: unknown },
) {
  await recordAudit(tx, caller, {
    action: "client.bulk_started",
    entityType: "bulk_operation",
    entityId: o.id,
    partnerId: null,
    after: {
      bulkOperationId: o.id,
      action: o.action,
      reason: o.reason,
      total: o.total,
      ...(o.filter ? { filters: o.filter } : { selection: "picked" }),
    },
  });
}

/** Asks a running operation to stop after its current batch; a queued one stops at once. Items not reached stay untouched. */
export async function cancelBulkOperation(caller: Caller, input: { id: string }): Promise<BulkOperationView> {
  actingStaff(caller);
  await getDb().transaction(async (tx) => {
    const [row] = (
      await tx.execute<{ status: string }>(sql`
        select status from bulk_operations where id = ${input.id} for update`)
    ).rows;
    if (!row) throw new AppError("not_found", "No such bulk operation");
    if (row.status !== "queued" && row.status !== "running")
      throw new AppError(
        "conflict",
        `This operation has already ${row.status === "cancelled" ? "been cancelled" : "finished"}`,
      );
    await tx.execute(sql`
      update bulk_operations set cancel_requested = true, updated_at = now(),
        status = case when status = 'queued' then 'cancelled'::bulk_operation_status else status end,
        finished_at = case when status = 'queued' then now() else finished_at end
      where id = ${input.id}`);
    await recordAudit(tx, caller, {
      action: "client.bulk_cancelled",
      entityType: "bulk_operation",
      entityId: input.id,
      partnerId: null,
      before: { status: row.status },
      after: { bulkOperationId: input.id, cancelRequested: true },
    });
  });
  wakeBulkOperationWorker();
  return getBulkOperation(caller, { id: input.id, itemLimit: 0 });
}

type SummaryRow = {
  id: string;
  action: BulkAction;
  reason: string | null;
  status: BulkOperationSummary["status"];
  filter_wide: boolean;
  total: number;
  processed: number;
  succeeded: number;
  skipped: number;
  failed: number;
  cancel_requested: boolean;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
};

const summarySelect = sql`
  select o.id, o.action, o.reason, o.status, o.filter is not null as filter_wide, o.total, o.processed, o.succeeded,
    o.skipped, o.failed, o.cancel_requested, coalesce(s.name, s.email) as created_by, o.created_at, o.finished_at
  from bulk_operations o left join staff_users s on s.id = o.created_by_staff_id`;

function summaryOf(r: SummaryRow): BulkOperationSummary {
  return {
    id: r.id,
    action: r.action,
    reason: r.reason,
    status: r.status,
    filterWide: r.filter_wide,
    total: r.total,
    processed: r.processed,
    succeeded: r.succeeded,
    skipped: r.skipped,
    failed: r.failed,
    cancelRequested: r.cancel_requested,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
  };
}

/** One operation: its progress and its clients' outcomes. */
export async function getBulkOperation(
  caller: Caller,
  input: { id: string; itemLimit?: number },
): Promise<BulkOperationView> {
  actingStaff(caller);
  const db = getDb();
  const [row] = (await db.execute<SummaryRow>(sql`${summarySelect} where o.id = ${input.id}`)).rows;
  if (!row) throw new AppError("not_found", "No such bulk operation");
  const limit = input.itemLimit ?? 100;
  const items =
    limit === 0
      ? []
      : (
          await db.execute<{
            client_id: string;
            email: string;
            status: BulkOperationItem["status"];
            outcome: string | null;
          }>(sql`
            select i.client_id, c.email, i.status, i.outcome
            from bulk_operation_items i join clients c on c.id = i.client_id
            where i.operation_id = ${input.id}
            order by case i.status when 'failed' then 0 when 'skipped' then 1 when 'pending' then 2 else 3 end,
              lower(c.email), i.client_id
            limit ${limit}`)
        ).rows.map((i) => ({ clientId: i.client_id, email: i.email, status: i.status, outcome: i.outcome }));
  return { ...summaryOf(row), items };
}

/** The latest operations, newest first. */
export async function listBulkOperations(caller: Caller, input: { limit: number }): Promise<BulkOperationSummary[]> {
  actingStaff(caller);
  const rows = (
    await getDb().execute<SummaryRow>(sql`${summarySelect} order by o.created_at desc limit ${input.limit}`)
  ).rows;
  return rows.map(summaryOf);
}
