import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import {
  BULK_ACTIONS,
  BULK_ITEM_STATUSES,
  BULK_OPERATION_STATUSES,
  IMPORT_JOB_STATUSES,
  IMPORT_ROW_STATUSES,
} from "../enums";
import { clients } from "./clients";
import { partners } from "./partners";
import { staffUsers } from "./staff";

export const importJobStatus = pgEnum("import_job_status", IMPORT_JOB_STATUSES);
export const importRowStatus = pgEnum("import_row_status", IMPORT_ROW_STATUSES);

/**
 * One bulk import of a partner's existing clients. The file is read once into
 * import_rows (the dry run); the import then writes the ready rows in batches,
 * so a job stopped by a restart resumes from the rows not yet imported.
 */
export const importJobs = pgTable(
  "import_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: integer("partner_id")
      .notNull()
      .references(() => partners.id),
    createdByStaffId: uuid("created_by_staff_id").references(() => staffUsers.id),
    fileName: text("file_name"),
    status: importJobStatus("status").notNull().default("validating"),
    sendEmails: boolean("send_emails").notNull().default(false),
    sendWebhooks: boolean("send_webhooks").notNull().default(false),
    rows: integer("rows").notNull().default(0),
    ready: integer("ready").notNull().default(0),
    invalid: integer("invalid").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    imported: integer("imported").notNull().default(0),
    /** Why the whole file was refused or the job failed, naming the line when there is one. */
    error: text("error"),
    /** A worker's claim on an importing job; a claim that lapsed (the process stopped) is taken over. */
    claimedBy: text("claimed_by"),
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("import_jobs_partner_idx").on(t.partnerId, t.createdAt), index("import_jobs_status_idx").on(t.status)],
);

/** One data row of an import file, by the line it starts on. */
export const importRows = pgTable(
  "import_rows",
  {
    jobId: uuid("job_id")
      .notNull()
      .references(() => importJobs.id, { onDelete: "cascade" }),
    line: integer("line").notNull(),
    status: importRowStatus("status").notNull(),
    /** As written in the file (trimmed), for the error report; null when the row had no email. */
    email: text("email"),
    /** The validated values to insert; null for an invalid row. */
    data: jsonb("data"),
    /** [{field, message}] for an invalid row, or why a row is a duplicate. */
    errors: jsonb("errors"),
    clientId: uuid("client_id").references(() => clients.id),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.line] }),
    index("import_rows_job_status_idx").on(t.jobId, t.status, t.line),
  ],
);

export const bulkAction = pgEnum("bulk_action", BULK_ACTIONS);
export const bulkOperationStatus = pgEnum("bulk_operation_status", BULK_OPERATION_STATUSES);
export const bulkItemStatus = pgEnum("bulk_item_status", BULK_ITEM_STATUSES);

/**
 * One action on many clients. Its items are the clients selected, each with
 * the updated_at staff saw; a client changed since is skipped, not overwritten.
 * Every client's audit event carries the operation's id.
 */
export const bulkOperations = pgTable(
  "bulk_operations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    action: bulkAction("action").notNull(),
    reason: text("reason"),
    /** The list filter a "select all matching" was made with, for the record; null for a picked selection. */
    filter: jsonb("filter"),
    status: bulkOperationStatus("status").notNull().default("queued"),
    total: integer("total").notNull().default(0),
    processed: integer("processed").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    createdByStaffId: uuid("created_by_staff_id").references(() => staffUsers.id),
    claimedBy: text("claimed_by"),
    claimedUntil: timestamp("claimed_until", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("bulk_operations_status_idx").on(t.status, t.createdAt)],
);

export const bulkOperationItems = pgTable(
  "bulk_operation_items",
  {
    operationId: uuid("operation_id")
      .notNull()
      .references(() => bulkOperations.id, { onDelete: "cascade" }),
    clientId: uuid("client_id")
      .notNull()
      .references(() => clients.id),
    /** The client's updated_at when it was selected. */
    expectedUpdatedAt: timestamp("expected_updated_at", { withTimezone: true, precision: 6 }).notNull(),
    status: bulkItemStatus("status").notNull().default("pending"),
    /** Why the item was skipped or failed. */
    outcome: text("outcome"),
  },
  (t) => [
    primaryKey({ columns: [t.operationId, t.clientId] }),
    index("bulk_operation_items_status_idx").on(t.operationId, t.status),
  ],
);
