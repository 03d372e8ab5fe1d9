import { and, eq, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { importJobs, importRows } from "../../db/schema";
import type { Caller } from "../caller";
import { AppError } from "../errors";
import { log } from "../log";
import { findPartnerById } from "../partners/lookup";
import { assertMayImport, staffIdOf } from "./access";
import { ImportFileError, readCsvRecords, type CsvRecord } from "./csv-source";
import {
  IMPORT_COLUMNS,
  REQUIRED_COLUMNS,
  validateImportRow,
  type FieldProblem,
  type ImportColumn,
  type ImportRowData,
} from "./row-schema";
import { MAX_IMPORT_ROWS, stageImportSchema } from "./schemas";
import { loadImportJob, type ImportJobView } from "./views";

/**
 * The dry run: reads an import file once, as it streams in, into staged rows
 * (import_rows) with each row's verdict: ready, invalid (the reason per
 * field) or duplicate (already a client of the partner, or repeating an
 * earlier line of the file). Rows are written a batch at a time and repeats
 * within the file are found in the database at the end, so memory holds one
 * batch whatever the file's length. A file that cannot be read as a whole
 * (not CSV text, a missing or unknown column, too many rows, a huge cell) is
 * refused naming the line; the job is then `failed` and keeps no rows.
 */

const STAGE_BATCH = 1000;

export const ALREADY_A_CLIENT = "Already a client of this partner";

interface StagedRow {
  jobId: string;
  line: number;
  status: "ready" | "invalid" | "duplicate";
  email: string | null;
  data: ImportRowData | null;
  errors: FieldProblem[] | null;
}

/** The header's columns by position, or why the header is refused. */
function readHeader(record: CsvRecord | undefined): Array<ImportColumn> {
  if (!record)
    throw new ImportFileError(
      1,
      `the file is empty; its first line must name the columns (${REQUIRED_COLUMNS.join(", ")})`,
    );
  const known = new Map(IMPORT_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const columns: ImportColumn[] = [];
  for (const [i, raw] of record.cells.entries()) {
    const name = raw.trim();
    const column = known.get(name.toLowerCase());
    if (!column) {
      const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
      throw new ImportFileError(
        record.line,
        name === ""
          ? `column ${i + 1} of the header has no name; the columns are ${IMPORT_COLUMNS.join(", ")}`
          : `unknown column ${JSON.stringify(shown)}; the columns are ${IMPORT_COLUMNS.join(", ")}`,
      );
    }
    if (columns.includes(column)) throw new ImportFileError(record.line, `the column ${column} appears twice`);
    columns.push(column);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0)
    throw new ImportFileError(
      record.line,
      `missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
    );
  return columns;
}

function stagedRowOf(jobId: string, columns: ImportColumn[], record: CsvRecord): StagedRow {
  const cells: Partial<Record<ImportColumn, string>> = {};
  columns.forEach((column, i) => (cells[column] = record.cells[i] ?? ""));
  const email = cells.email?.trim() || null;
  if (record.cells.length !== columns.length)
    return {
      jobId,
      line: record.line,
      status: "invalid",
      email,
      data: null,
      errors: [
        {
          field: "(row)",
          message: `The row has ${record.cells.length} cells and the header ${columns.length} columns; quote a cell that contains a comma`,
        },
      ],
    };
  const verdict = validateImportRow(cells);
  if (!verdict.ok) return { jobId, line: record.line, status: "invalid", email, data: null, errors: verdict.errors };
  return { jobId, line: record.line, status: "ready", email: verdict.data.email, data: verdict.data, errors: null };
}

/** Marks the batch's rows that name an existing client of the partner. */
async function markExistingClients(partnerId: number, batch: StagedRow[]): Promise<void> {
  const ready = batch.filter((r) => r.status === "ready");
  if (ready.length === 0) return;
  const emails = ready.map((r) => r.data!.email.toLowerCase());
  const existing = await getDb().execute<{ email: string }>(
    sql`select lower(email) as email from clients where partner_id = ${partnerId} and lower(email) = any(${sql.param(emails)}::text[])`,
  );
  const clients = new Set(existing.rows.map((r) => r.email));
  for (const row of ready) {
    if (!clients.has(row.data!.email.toLowerCase())) continue;
    row.status = "duplicate";
    row.errors = [{ field: "email", message: ALREADY_A_CLIENT }];
    // A duplicate is not imported: its data is not kept.
    row.data = null;
  }
}

/**
 * Marks every row whose email (any case) an earlier valid row of the file
 * already has: it repeats that line. Done once the file is staged, in the
 * database, so no process holds the file's emails.
 */
async function markRepeatedLines(jobId: string): Promise<void> {
  await getDb().execute(sql`
    update ${importRows} r
       set status = 'duplicate', data = null,
           errors = jsonb_build_array(jsonb_build_object('field', 'email', 'message', 'Repeats line ' || f.first_line))
      from (select line, first_line
              from (select line, min(line) over (partition by lower(email)) as first_line
                      from ${importRows}
                     where job_id = ${jobId} and status in ('ready', 'duplicate')) w
             where line <> first_line) f
     where r.job_id = ${jobId} and r.line = f.line`);
}

export interface StageImportInput {
  partnerId: number;
  fileName: string | null;
  source: AsyncIterable<Uint8Array | string>;
}

/**
 * Creates the job, reads the file into staged rows and returns the job
 * `validated` with its counts. A file refused as a whole throws a
 * validation_failed AppError whose message names the line (field `file`);
 * the job is then `failed` with that message and keeps no rows.
 */
export async function stageImport(caller: Caller, input: StageImportInput): Promise<ImportJobView> {
  assertMayImport(caller);
  const { partnerId, fileName } = stageImportSchema.parse({ partnerId: input.partnerId, fileName: input.fileName });
  const partner = await findPartnerById(getDb(), partnerId);
  if (!partner) throw AppError.field("partner_not_found", "partnerId", `No partner has id ${partnerId}`);
  const db = getDb();
  const [job] = await db
    .insert(importJobs)
    .values({ partnerId, fileName, createdByStaffId: staffIdOf(caller), status: "validating" })
    .returning({ id: importJobs.id });
  const jobId = job!.id;
  let rows = 0;
  const records = readCsvRecords(input.source);
  try {
    const first = await records.next();
    const columns = readHeader(first.done ? undefined : first.value);
    let batch: StagedRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await markExistingClients(partnerId, batch);
      await db.insert(importRows).values(batch);
      batch = [];
    };
    for await (const record of records) {
      if (rows >= MAX_IMPORT_ROWS)
        throw new ImportFileError(
          record.line,
          `the file has more than ${MAX_IMPORT_ROWS.toLocaleString("en")} rows; split it into files of at most ${MAX_IMPORT_ROWS.toLocaleString("en")} rows`,
        );
      rows++;
      batch.push(stagedRowOf(jobId, columns, record));
      if (batch.length >= STAGE_BATCH) await flush();
    }
    await flush();
    if (rows === 0) throw new ImportFileError(2, "the file has a header but no rows");
  } catch (e) {
    // Stops reading the upload (and releases it) when the file is refused before its end.
    await records.return(undefined).catch(() => undefined);
    const reason =
      e instanceof ImportFileError ? e.message : "The file could not be read to the end; nothing was staged";
    await refuseFile(jobId, reason).catch((cleanup: unknown) =>
      log.error("an import job could not be marked failed", { job: "imports", jobId, error: cleanup }),
    );
    if (e instanceof ImportFileError)
      throw new AppError("validation_failed", e.message, { fields: [{ path: "file", message: e.message }] });
    throw e;
  }
  // Statistics first: without them the planner may join the staged rows to themselves by nested loops.
  await db.execute(sql`analyze ${importRows}`).catch(() => undefined);
  await markRepeatedLines(jobId);
  const byStatus = await db
    .select({ status: importRows.status, n: sql<number>`count(*)::int` })
    .from(importRows)
    .where(eq(importRows.jobId, jobId))
    .groupBy(importRows.status);
  const count = (status: string) => byStatus.find((r) => r.status === status)?.n ?? 0;
  const counts = { rows, ready: count("ready"), invalid: count("invalid"), duplicates: count("duplicate") };
  await db
    .update(importJobs)
    .set({ ...counts, status: "validated", updatedAt: new Date() })
    .where(and(eq(importJobs.id, jobId), eq(importJobs.status, "validating")));
  return loadImportJob(db, jobId);
}

/** A refused file leaves a failed job with the reason and none of its rows. */
async function refuseFile(jobId: string, reason: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    await tx.delete(importRows).where(eq(importRows.jobId, jobId));
    await tx
      .update(importJobs)
      .set({ status: "failed", error: reason, finishedAt: new Date(), updatedAt: new Date() })
      .where(eq(importJobs.id, jobId));
  });
}
