import { randomUUID } from "node:crypto";
import os from "node:os";
import { eq, sql } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { accounts, importJobs, importRows } from "../../db/schema";
import { config } from "../../env";
import { recordAudit } from "../audit/record";
import { systemCaller, type Caller } from "../caller";
import { AppError } from "../errors";
import { ensureJob, type Job } from "../jobs/runner";
import { log } from "../log";
import { findPartnerById, type Partner } from "../partners/lookup";
import { afterBulkClientLoad } from "../overview/funnel-rollup";
import { queueImportEmails, queueImportWebhooks, type ImportedClient } from "./notify";
import { ALREADY_A_CLIENT } from "./stage";
import { loadImportJob, type ImportJobView } from "./views";

/**
 * The import itself: the ready rows of an `importing` job written as clients
 * a batch at a time, each batch one transaction (clients, their CHECKING
 * accounts, the rows marked imported, the counts, and the emails and webhooks
 * the job asked for). One worker holds a job at a time by its claim
 * (claimed_by, claimed_until), renewed with every batch; a claim that lapsed
 * (the process stopped) is taken over and the job resumes with the rows not
 * yet imported. The unique index on (partner, lower(email)) decides a row
 * that meanwhile became a client: it is a duplicate, never a second client.
 */

export const IMPORT_JOB = "imports";
const IMPORT_BATCH = 2000;
/** How long a claim lasts without a batch renewing it. */
export const IMPORT_LEASE_SECONDS = 60;

/** A worker's name in claims: unique per process and use. */
export function importClaimant(label: string): string {
  return `${label}:${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Claims an importing job for `claimant`: the one named, or the oldest
 * started that nobody holds, whose claim lapsed, or that this claimant holds
 * already. Returns its id, or undefined when there is none to take.
 */
async function claimImportJob(claimant: string, jobId?: string): Promise<string | undefined> {
  const result = await getDb().execute<{ id: string }>(sql`
    update import_jobs
    set claimed_by = ${claimant}, claimed_until = now() + make_interval(secs => ${IMPORT_LEASE_SECONDS}), updated_at = now()
    where id = (
      select id from import_jobs
      where status = 'importing'
        and (claimed_until is null or claimed_until < now() or claimed_by = ${claimant})
        ${jobId === undefined ? sql`` : sql`and id = ${jobId}`}
      order by started_at nulls first, id
      limit 1
      for update skip locked
    )
    returning id`);
  return result.rows[0]?.id;
}

type BatchOutcome = "more" | "done" | "lost";

interface Held {
  partnerId: number;
  sendEmails: boolean;
  sendWebhooks: boolean;
  createdByStaffId: string | null;
}

/** Renews the claim for this batch, under the job's row lock; nothing when the claim was lost or the job cancelled. */
async function renewClaim(tx: Tx, claimant: string, jobId: string): Promise<Held | undefined> {
  const result = await tx.execute<{
    partner_id: number;
    send_emails: boolean;
    send_webhooks: boolean;
    created_by_staff_id: string | null;
  }>(sql`
    update import_jobs
    set claimed_until = now() + make_interval(secs => ${IMPORT_LEASE_SECONDS}), updated_at = now()
    where id = ${jobId} and claimed_by = ${claimant} and status = 'importing'
    returning partner_id, send_emails, send_webhooks, created_by_staff_id`);
  const row = result.rows[0];
  return row
    ? {
        partnerId: row.partner_id,
        sendEmails: row.send_emails,
        sendWebhooks: row.send_webhooks,
        createdByStaffId: row.created_by_staff_id,
      }
    : undefined;
}

/**
 * A batch in three set-based statements: the next ready rows in file order
 * are inserted as clients with ids chosen beforehand (ON CONFLICT on the
 * (partner, lower(email)) index does nothing) and their CHECKING accounts
 * opened; then the rows whose client was created are marked imported, the
 * others duplicate (a client of that email appeared since the dry run). No
 * statement joins two CTEs (the planner knows nothing of their sizes and
 * picks nested loops): the rows are matched by the ids in JavaScript and
 * updated through their primary key.
 */
async function writeBatch(
  tx: Tx,
  o: { jobId: string; partner: Partner; staffId: string | null; batchSize: number },
): Promise<{ taken: number; duplicates: number; inserted: ImportedClient[] }> {
  const result = await tx.execute<{
    batch: Array<{ line: number; id: string }> | null;
    inserted: ImportedClient[];
  }>(sql`
    with batch as (
      select line, data, gen_random_uuid() as new_id from import_rows
      where job_id = ${o.jobId} and status = 'ready'
      order by line
      limit ${o.batchSize}
      for update
    ), ins as (
      insert into clients (
        id, partner_id, email, password_hash, first_name, last_name, country_code, birth_date, referral_code,
        external_id, postal_code, state, address1, address2, verification_status, verification_level,
        email_confirmed_at, created_via, created_by_staff_id
      )
      select b.new_id, ${o.partner.id}, b.data->>'email', b.data->>'passwordHash', b.data->>'firstName',
        b.data->>'lastName', b.data->>'countryCode', (b.data->>'birthDate')::date, b.data->>'referralCode',
        b.data->>'externalId', b.data->>'postalCode', b.data->>'state', b.data->>'address1', b.data->>'address2',
        (b.data->>'verificationStatus')::verification_status, (b.data->>'verificationLevel')::smallint,
        case when b.data->>'verificationStatus' = 'not_verified' then null else now() end,
        'import', ${o.staffId}::uuid
      from batch b
      order by b.line
      on conflict (partner_id, lower(email)) do nothing
      returning id, email, verification_status, verification_level, user_type, password_hash = '' as must_set_password
    ), accounts_opened as (
      insert into accounts (partner_id, client_id, type, currency)
      select ${o.partner.id}, ins.id, 'CHECKING', ${o.partner.defaultCurrency} from ins
    )
    select
      (select json_agg(json_build_object('line', line, 'id', new_id)) from batch) as batch,
      (select coalesce(json_agg(json_build_object(
        'id', id, 'email', email, 'verificationStatus', verification_status,
        'verificationLevel', verification_level, 'userType', user_type,
        'mustSetPassword', must_set_password)), '[]'::json) from ins) as inserted`);
  const { batch, inserted } = result.rows[0]!;
  const taken = batch ?? [];
  const created = new Set(inserted.map((c) => c.id));
  const imported = taken.filter((r) => created.has(r.id));
  const duplicates = taken.filter((r) => !created.has(r.id)).map((r) => r.line);
  if (imported.length > 0)
    await tx.execute(sql`
      update import_rows r set status = 'imported', client_id = v.id
      from unnest(${sql.param(imported.map((r) => r.line))}::int[], ${sql.param(imported.map((r) => r.id))}::uuid[]) as v(line, id)
      where r.job_id = ${o.jobId} and r.line = v.line`);
  if (duplicates.length > 0)
    await tx.execute(sql`
      update import_rows set status = 'duplicate', data = null,
        errors = ${JSON.stringify([{ field: "email", message: ALREADY_A_CLIENT }])}::jsonb
      where job_id = ${o.jobId} and line = any(${sql.param(duplicates)}::int[])`);
  return { taken: taken.length, duplicates: duplicates.length, inserted };
}

/** The job's end, in its last batch's transaction: completed, the claim released, one audit event with the counts. */
async function completeJob(tx: Tx, caller: Caller, jobId: string): Promise<void> {
  const [done] = await tx
    .update(importJobs)
    .set({ status: "completed", finishedAt: new Date(), updatedAt: new Date(), claimedBy: null, claimedUntil: null })
    .where(eq(importJobs.id, jobId))
    .returning();
  if (!done) return;
  await recordAudit(tx, caller, {
    action: "client.import_completed",
    entityType: "import_job",
    entityId: jobId,
    partnerId: done.partnerId,
    after: {
      fileName: done.fileName,
      rows: done.rows,
      ready: done.ready,
      invalid: done.invalid,
      duplicates: done.duplicates,
      imported: done.imported,
      sendEmails: done.sendEmails,
      sendWebhooks: done.sendWebhooks,
      createdByStaffId: done.createdByStaffId,
    },
  });
}

/**
 * Imports the next batch of a job this claimant holds. "lost" when the claim
 * is no longer this claimant's or the job was cancelled: nothing was written.
 */
export async function importBatch(
  caller: Caller,
  o: { claimant: string; jobId: string; batchSize?: number },
): Promise<BatchOutcome> {
  const batchSize = o.batchSize ?? IMPORT_BATCH;
  const outcome = await getDb().transaction(async (tx): Promise<BatchOutcome> => {
    const held = await renewClaim(tx, o.claimant, o.jobId);
    if (!held) return "lost";
    const partner = await findPartnerById(tx, held.partnerId);
    if (!partner) throw new Error(`import job ${o.jobId} names a partner that does not exist`);
    const { taken, duplicates, inserted } = await writeBatch(tx, {
      jobId: o.jobId,
      partner,
      staffId: held.createdByStaffId,
      batchSize,
    });
    if (held.sendEmails) await queueImportEmails(tx, partner, inserted);
    if (held.sendWebhooks) await queueImportWebhooks(tx, partner.id, inserted);
    await tx
      .update(importJobs)
      .set({
        imported: sql`${importJobs.imported} + ${inserted.length}`,
        duplicates: sql`${importJobs.duplicates} + ${duplicates}`,
        ready: sql`${importJobs.ready} - ${duplicates}`,
        updatedAt: new Date(),
      })
      .where(eq(importJobs.id, o.jobId));
    if (taken < batchSize) {
      await completeJob(tx, caller, o.jobId);
      return "done";
    }
    return "more";
  });
  if (outcome === "done") await afterBulkLoad();
  return outcome;
}

/**
 * After the last batch: fresh planner statistics for the tables the import
 * filled and a recount of the Overview funnel (overview/funnel-rollup.ts), so
 * staff see the imported clients there at once. Neither is the import's
 * success: a failure is logged, and the next tick of autovacuum and of the
 * rollup catches up.
 */
async function afterBulkLoad(): Promise<void> {
  try {
    await afterBulkClientLoad({ tables: [accounts, importRows] });
  } catch (error) {
    log.warn("after an import, the clients statistics or the Overview recount could not be refreshed", {
      job: IMPORT_JOB,
      error,
    });
  }
}

/** One step of the worker: claims a job (keeping the one it holds) and imports one batch. True when more is waiting. */
async function runImportWorkerOnce(o: { claimant: string; caller?: Caller; batchSize?: number }): Promise<boolean> {
  const jobId = await claimImportJob(o.claimant);
  if (!jobId) return false;
  await importBatch(o.caller ?? systemCaller("import-worker"), { claimant: o.claimant, jobId, batchSize: o.batchSize });
  return true;
}

/**
 * Runs one job to its end in this process (the CLI), with the same claim as
 * the worker: refused while another worker's claim on it is live. Calls
 * `onProgress` after every batch.
 */
export async function runImportToCompletion(
  caller: Caller,
  o: { jobId: string; claimant: string; batchSize?: number; onProgress?: (job: ImportJobView) => void },
): Promise<ImportJobView> {
  for (;;) {
    const claimed = await claimImportJob(o.claimant, o.jobId);
    if (!claimed) {
      const job = await loadImportJob(getDb(), o.jobId);
      if (job.status === "importing")
        throw new AppError("conflict", "Another process is importing this job; follow it in the back office");
      return job;
    }
    const outcome = await importBatch(caller, { claimant: o.claimant, jobId: o.jobId, batchSize: o.batchSize });
    const job = await loadImportJob(getDb(), o.jobId);
    o.onProgress?.(job);
    if (outcome !== "more") return job;
  }
}

const workerClaimant = importClaimant("worker");

/**
 * Starts this process's import worker once (off with IMPORT_WORKER=off).
 * Every instance may run one: claims keep them apart, and a job whose
 * worker stopped is taken over once its claim lapses.
 */
export function ensureImportWorker(): Job | undefined {
  if (config().IMPORT_WORKER !== "on") return undefined;
  return ensureJob({
    name: IMPORT_JOB,
    intervalMs: 5000,
    failureMessage: "the import worker could not import a batch; will retry (the job resumes where it stopped)",
    run: () => runImportWorkerOnce({ claimant: workerClaimant }),
  });
}
