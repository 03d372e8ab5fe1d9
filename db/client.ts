import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import { config } from "../env";
import { readEmbeddedOwner } from "./embedded-owner";
import { DatabaseUnavailableError } from "./errors";
import * as schema from "./schema";

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything that can run a query: the database or an open transaction. */
export type Executor = Db | Tx;

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

/**
 * The pool's connections now, for /metrics: open (total), idle, and requests
 * waiting for one. Undefined before the first query opened the pool. In
 * embedded mode the pool is the same, its connections going to the
 * embedded server over the wire protocol.
 */
export function poolStats(): { total: number; idle: number; waiting: number; max: number } | undefined {
  if (!pool) return undefined;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: config().DATABASE_POOL_SIZE };
}

let probe: pg.Pool | undefined;

/**
 * `select 1` on a connection of its own (opened on first use, reopened after
 * an error), for /api/health: a health check must not wait for a free
 * connection behind a burst of requests in the main pool, nor take one from them.
 */
export async function pingDatabase(): Promise<void> {
  probe ??= new pg.Pool({
    connectionString: resolveDatabaseUrl(),
    max: 1,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 60_000,
  }).on("error", () => undefined);
  await probe.query("select 1");
}

export function getDb(): Db {
  db ??= drizzle(getPool(), { schema, casing: "snake_case" });
  return db;
}

export async function closeDb(): Promise<void> {
  const p = pool;
  const q = probe;
  pool = undefined;
  probe = undefined;
  db = undefined;
  await Promise.all([p?.end(), q?.end()]);
}
