import { randomUUID } from "node:crypto";
import pg from "pg";
import { runMigrations } from "../../db/migrate";

export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A migrated database of its own on the PostgreSQL server that `serverUrl`
 * points at, for tests whose background workers must not touch the rows of
 * other files (an outbox worker claims every due email).
 */
export async function createPrivateDatabase(serverUrl: string, tag: string): Promise<PrivateDatabase> {
  const url = new URL(serverUrl);
  const name = `${url.pathname.slice(1).slice(0, 40)}_${tag}_${randomUUID().slice(0, 8)}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await runMigrations(pool);
  } finally {
    await pool.end();
  }
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
