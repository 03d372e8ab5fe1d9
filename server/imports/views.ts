import { and, asc, desc, eq, gt, inArray } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import type { IMPORT_JOB_STATUSES } from "../../db/enums";
import { importJobs, importRows, partners } from "../../db/schema";
import type { Caller } from "../caller";
import { streamCsvPages, type CsvColumn } from "../csv";
import { AppError } from "../errors";
import { assertMayImport } from "./access";
import type { FieldProblem } from "./row-schema";
import { invalidRowsSchema, listImportJobsSchema, type ImportJobTarget, type InvalidRowsInput } from "./schemas";

/** What staff see of an import job: plain values, counts and times; never a row's data or a hash. */
export interface ImportJobView {
  id: string;
  partnerId: number;
  partnerName: string;
  fileName: string | null;
  status: (typeof IMPORT_JOB_STATUSES)[number];
  /** Data rows read from the file. rows = ready + invalid + duplicates. */
  rows: number;
  /** Rows to import: valid and not already a client (less any found to be one while importing). */
  ready: number;
  invalid: number;
  duplicates: number;
  /** Of the ready rows, those imported so far. */
  imported: number;
  /** Why the file was refused or the job stopped, naming the line when there is one. */
  error: string | null;
  sendEmails: boolean;
  sendWebhooks: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const viewColumns = {
  id: importJobs.id,
  partnerId: importJobs.partnerId,
  partnerName: partners.name,
  fileName: importJobs.fileName,
  status: importJobs.status,
  rows: importJobs.rows,
  ready: importJobs.ready,
  invalid: importJobs.invalid,
  duplicates: importJobs.duplicates,
  imported: importJobs.imported,
  error: importJobs.error,
  sendEmails: importJobs.sendEmails,
  sendWebhooks: importJobs.sendWebhooks,
  createdAt: importJobs.createdAt,
  startedAt: importJobs.startedAt,
  finishedAt: importJobs.finishedAt,
};

/** A job as staff see it, without checking who asks: for the services of this folder. */
export async function loadImportJob(db: Executor, jobId: string): Promise<ImportJobView> {
  const [job] = await db
    .select(viewColumns)
    .from(importJobs)
    .innerJoin(partners, eq(partners.id, importJobs.partnerId))
    .where(eq(importJobs.id, jobId));
  if (!job) throw AppError.field("not_found", "jobId", "No such import job");
  return job;
}

export async function getImportJob(caller: Caller, input: ImportJobTarget): Promise<ImportJobView> {
  assertMayImport(caller);
  return loadImportJob(getDb(), input.jobId);
}

/** The newest jobs first, of one partner or of all. */
export async function listImportJobs(
  caller: Caller,
  input: { partnerId?: number; limit?: number },
): Promise<ImportJobView[]> {
  assertMayImport(caller);
  const o = listImportJobsSchema.parse(input);
  return getDb()
    .select(viewColumns)
    .from(importJobs)
    .innerJoin(partners, eq(partners.id, importJobs.partnerId))
    .where(o.partnerId === undefined ? undefined : eq(importJobs.partnerId, o.partnerId))
    .orderBy(desc(importJobs.createdAt), desc(importJobs.id))
    .limit(o.limit);
}

export interface InvalidRowView {
  line: number;
  email: string | null;
  errors: FieldProblem[];
}

/** The first invalid rows of a job, by line, each with the reason per field: the dry run's preview. */
export async function invalidRows(caller: Caller, input: InvalidRowsInput): Promise<InvalidRowView[]> {
  assertMayImport(caller);
  const o = invalidRowsSchema.parse(input);
  await loadImportJob(getDb(), o.jobId);
  const rows = await getDb()
    .select({ line: importRows.line, email: importRows.email, errors: importRows.errors })
    .from(importRows)
    .where(and(eq(importRows.jobId, o.jobId), eq(importRows.status, "invalid")))
    .orderBy(asc(importRows.line))
    .limit(o.limit);
  return rows.map((r) => ({ line: r.line, email: r.email, errors: (r.errors as FieldProblem[] | null) ?? [] }));
}

interface ReportLine {
  line: number;
  email: string | null;
  field: string;
  message: string;
}

const REPORT_COLUMNS: Array<CsvColumn<ReportLine>> = [
  ["line", (r) => r.line],
  ["email", (r) => r.email],
  ["field", (r) => r.field],
  ["message", (r) => r.message],
];

const REPORT_PAGE = 2000;

/**
 * The per-row error report as CSV chunks: one line per field error of each
 * invalid row, and one per duplicate row (why it is one), in file order. Read
 * a page of rows at a time; cells are neutralised against formula injection.
 */
export async function* errorReportCsv(caller: Caller, input: ImportJobTarget): AsyncIterable<string> {
  assertMayImport(caller);
  await loadImportJob(getDb(), input.jobId);
  yield* streamCsvPages(REPORT_COLUMNS, async (cursor) => {
    const after = cursor === null ? 0 : Number(cursor);
    const rows = await getDb()
      .select({ line: importRows.line, email: importRows.email, errors: importRows.errors })
      .from(importRows)
      .where(
        and(
          eq(importRows.jobId, input.jobId),
          inArray(importRows.status, ["invalid", "duplicate"]),
          gt(importRows.line, after),
        ),
      )
      .orderBy(asc(importRows.line))
      .limit(REPORT_PAGE);
    const items = rows.flatMap((r) =>
      ((r.errors as FieldProblem[] | null) ?? [{ field: "(row)", message: "Not imported" }]).map((e) => ({
        line: r.line,
        email: r.email,
        field: e.field,
        message: e.message,
      })),
    );
    return { items, nextCursor: rows.length === REPORT_PAGE ? String(rows.at(-1)!.line) : null };
  });
}
