import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { config } from "../server/config";
import { AppError } from "../server/errors";
import { readEmbeddedOwner } from "./embedded-owner";
import * as schema from "./schema";

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db | Tx;

/** The database cannot be reached; callers answer 503 and ask the client to retry. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

let pool: pg.Pool | undefined;
let db: Db | undefined;

export function resolveDatabaseUrl(): string {
  const c = config();
  if (c.DATABASE_URL) return c.DATABASE_URL;
  const owner = readEmbeddedOwner(c.GATEHOUSE_DATA_DIR);
  if (!owner) {
    throw new DatabaseUnavailableError(
      `The embedded database in ${c.GATEHOUSE_DATA_DIR} is not running. Start the app with "npm run dev" or "npm start", or set DATABASE_URL.`,
    );
  }
  return owner.url;
}

export function getPool(): pg.Pool {
  if (!pool) {
    const c = config();
    pool = new pg.Pool({
      connectionString: resolveDatabaseUrl(),
      max: c.DATABASE_POOL_SIZE,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // A client losing its connection must not crash the process: an idle one
    // is dropped by the pool; a checked-out one (mid-transaction) fails its
    // current or next query, and the pool drops it when it is released.
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
  }
  return pool;
}

export function getDb(): Db {
  db ??= drizzle(getPool(), { schema, casing: "snake_case" });
  return db;
}

export async function closeDb(): Promise<void> {
  const p = pool;
  pool = undefined;
  db = undefined;
  await p?.end();
}

const unavailableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006", "53300"]);

/** True when an error means the database is down or unreachable (not a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const err = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof err.code === "string" && unavailableCodes.has(err.code)) return true;
    if (typeof err.message === "string" && /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|is not queryable/i.test(err.message)) return true;
    e = err.cause;
  }
  return false;
}

/**
 * PostgreSQL refused a value as sent: text with a NUL, a number or date out of
 * range, a key too large for its index. Validation should have caught it
 * first; this is the net under it, so such input is a 400, never a 500.
 */
const invalidInputCodes = new Set(["22P02", "22021", "22P05", "22007", "22008", "22003", "22001", "54000"]);
export function isInputRejectedByDatabase(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code !== undefined && invalidInputCodes.has(code);
}

/** Two transactions collided (a deadlock, a lock wait that timed out): retrying is safe. */
export function isTransientConflict(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code === "40P01" || code === "40001" || code === "55P03";
}

/** What the database refused, as the caller's error: bad input is a 400, a collision a 409 to retry. */
export function databaseRefusal(error: unknown): AppError {
  if (isTransientConflict(error)) return new AppError("conflict", "The request collided with another one; retry it", { retryAfterSeconds: 1 });
  return new AppError("invalid_request", "A value in the request cannot be stored as sent (for example a NUL character, or a value too large)");
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
