import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../errors";
import { startImport } from "../imports/control";
import { importClaimant, runImportToCompletion } from "../imports/run";
import { stageImport } from "../imports/stage";
import type { ImportJobView } from "../imports/views";
import { cli, partnerFlag, type CommandResult } from "./cli-kit";

const clientsImportFlags = z.object({
  partner: partnerFlag,
  file: z.string({ error: "--file is required (the CSV file to import)" }).min(1, "--file is required"),
  "dry-run": z.boolean().default(false),
  "send-emails": z.boolean().default(false),
  "send-webhooks": z.boolean().default(false),
});

const importCounts = (job: ImportJobView) => ({
  rows: job.rows,
  ready: job.ready,
  invalid: job.invalid,
  duplicates: job.duplicates,
  imported: job.imported,
});

/**
 * `clients import`: the dry run (the file read into a job's staged rows),
 * then, unless --dry-run, the import to its end in this process, on the same
 * claim and batches as the app's worker (so a stopped run is resumed by the
 * app). `progress` gets a line per batch.
 */
export async function clientsImport(
  flags: Record<string, unknown>,
  progress: (line: string) => void = () => undefined,
): Promise<CommandResult> {
  const f = clientsImportFlags.parse(flags);
  const file = path.resolve(f.file);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw AppError.field("invalid_request", "file", `--file: no file at ${f.file}`);
  const staged = await stageImport(cli, {
    partnerId: f.partner,
    fileName: path.basename(file),
    source: createReadStream(file, { highWaterMark: 64 * 1024 }),
  });
  const dryRun = `Dry run of ${staged.fileName} for partner ${staged.partnerId} (${staged.partnerName}): ${staged.rows} rows, ${staged.ready} ready, ${staged.invalid} invalid, ${staged.duplicates} duplicates (job ${staged.id}).`;
  if (f["dry-run"]) return { lines: [dryRun, "Nothing imported (--dry-run)."], json: importCounts(staged) };
  progress(dryRun);
  const claimant = importClaimant("cli");
  await startImport(
    cli,
    { jobId: staged.id, sendEmails: f["send-emails"], sendWebhooks: f["send-webhooks"] },
    { claimant },
  );
  const done = await runImportToCompletion(cli, {
    jobId: staged.id,
    claimant,
    onProgress: (job) => progress(`Imported ${job.imported} of ${job.ready} rows…`),
  });
  return {
    lines: [
      `Import ${done.status}: ${done.imported} clients imported, ${done.duplicates} duplicates, ${done.invalid} invalid rows skipped${done.error ? ` (${done.error})` : ""}.`,
      ...(done.invalid + done.duplicates > 0
        ? ["The back office's Import clients page has the per-row error report."]
        : []),
    ],
    json: importCounts(done),
    exitCode: done.status === "completed" ? 0 : 1,
  };
}
