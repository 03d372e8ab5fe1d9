/**
 * What a failure of the database driver says about a request, read from
 * PostgreSQL's error codes and node-postgres's connection errors. Plain
 * classification: server/errors.ts turns it into the caller's AppError.
 */

/** The database cannot be reached; callers answer 503 and ask the client to retry. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

/** Why the database failed a request: it is away, it refused a value as sent, or the request collided with another one. */
export type DatabaseFailure = "unavailable" | "input_rejected" | "conflict";

const unavailableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
  "53300",
]);

/**
 * PostgreSQL refused a value as sent: text with a NUL, a number or date out of
 * range, a key too large for its index. Validation should have caught it
 * first; this is the net under it, so such input is a 400, never a 500.
 */
const invalidInputCodes = new Set(["22P02", "22021", "22P05", "22007", "22008", "22003", "22001", "54000"]);

/** Two transactions collided (a deadlock, a lock wait that timed out): retrying is safe. */
const transientConflictCodes = new Set(["40P01", "40001", "55P03"]);

/** What kind of database failure an error is, or undefined when it is none (a bad query is a bug, not a refusal). */
export function databaseFailureOf(error: unknown): DatabaseFailure | undefined {
  if (isDatabaseUnavailable(error)) return "unavailable";
  const code = pgErrorCode(error);
  if (code === undefined) return undefined;
  if (invalidInputCodes.has(code)) return "input_rejected";
  if (transientConflictCodes.has(code)) return "conflict";
  return undefined;
}

/** True when an error means the database is down or unreachable (not a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const err = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof err.code === "string" && unavailableCodes.has(err.code)) return true;
    if (
      typeof err.message === "string" &&
      /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|is not queryable/i.test(
        err.message,
      )
    )
      return true;
    e = err.cause;
  }
  return false;
}

/** The PostgreSQL error code of a failed query, looking through drizzle's wrapper. */
export function pgErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const err = e as { code?: unknown; cause?: unknown };
    if (typeof err.code === "string" && /^[0-9A-Z]{5}$/.test(err.code)) return err.code;
    e = err.cause;
  }
  return undefined;
}
