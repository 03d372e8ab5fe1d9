import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { importJobs } from "../../db/schema";
import { recordAudit } from "../audit/record";
import type { Caller } from "../caller";
import { AppError } from "../errors";
import { runningJob } from "../jobs/runner";
import { assertMayImport } from "./access";
import { IMPORT_JOB, IMPORT_LEASE_SECONDS } from "./run";
import type { ImportJobTarget, StartImportInput } from "./schemas";
import { loadImportJob, type ImportJobView } from "./views";

/** Starting and cancelling an import job. */

async function refuseState(jobId: string, doing: string): Promise<never> {
  const job = await loadImportJob(getDb(), jobId);
  throw new AppError("conflict", `This import is ${job.status}; ${doing}`, { details: { status: job.status } });
}

/**
 * Starts a validated job: it becomes `importing` and a worker takes it. Only
 * one start wins (the update is conditional on `validated`); a second one is
 * refused as a conflict, so nothing is imported twice. `claimant` is for the
 * CLI, which imports in its own process: it holds the claim from the start,
 * so no other worker takes the job first.
 */
export async function startImport(
  caller: Caller,
  input: StartImportInput,
  o: { claimant?: string } = {},
): Promise<ImportJobView> {
  assertMayImport(caller);
  const claim =
    o.claimant === undefined
      ? {}
      : {
          claimedBy: o.claimant,
          claimedUntil: sql`now() + make_interval(secs => ${IMPORT_LEASE_SECONDS})`,
        };
  const [started] = await getDb()
    .update(importJobs)
    .set({
      status: "importing",
      sendEmails: input.sendEmails,
      sendWebhooks: input.sendWebhooks,
      startedAt: new Date(),
      updatedAt: new Date(),
      error: null,
      ...claim,
    })
    .where(and(eq(importJobs.id, input.jobId), eq(importJobs.status, "validated")))
    .returning({ id: importJobs.id });
  if (!started) await refuseState(input.jobId, "only a validated import can be started");
  runningJob(IMPORT_JOB)?.wake();
  return loadImportJob(getDb(), input.jobId);
}

/**
 * Cancels a job: a validated one is never imported; an importing one stops
 * after the batch in flight (its transaction holds the job's row, so this
 * waits for it) and the clients already imported stay, as the job's `error`
 * says. Audited with the counts at that moment.
 */
export async function cancelImport(caller: Caller, input: ImportJobTarget): Promise<ImportJobView> {
  assertMayImport(caller);
  const cancelled = await getDb().transaction(async (tx) => {
    const [job] = await tx
      .select({
        status: importJobs.status,
        partnerId: importJobs.partnerId,
        ready: importJobs.ready,
        imported: importJobs.imported,
      })
      .from(importJobs)
      .where(eq(importJobs.id, input.jobId))
      .for("update");
    if (!job) throw AppError.field("not_found", "jobId", "No such import job");
    if (job.status !== "validated" && job.status !== "importing") return false;
    const note =
      job.status === "importing"
        ? `Cancelled after ${job.imported} of ${job.ready} rows were imported; the clients already imported stay`
        : null;
    await tx
      .update(importJobs)
      .set({
        status: "cancelled",
        error: note,
        finishedAt: new Date(),
        updatedAt: new Date(),
        claimedBy: null,
        claimedUntil: null,
      })
      .where(eq(importJobs.id, input.jobId));
    await recordAudit(tx, caller, {
      action: "client.import_cancelled",
      entityType: "import_job",
      entityId: input.jobId,
      partnerId: job.partnerId,
      before: { status: job.status },
      after: { status: "cancelled", ready: job.ready, imported: job.imported },
    });
    return true;
  });
  if (!cancelled) await refuseState(input.jobId, "only a validated or importing import can be cancelled");
  return loadImportJob(getDb(), input.jobId);
}
