import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../db/embedded-server";
import { runMigrations } from "../../db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    /** True when the run uses the embedded PGlite, which serialises every transaction. */
    databaseIsEmbedded: boolean;
  }
}

/**
 * One database for the whole run: the PostgreSQL server named by DATABASE_URL
 * when set (CI), otherwise an embedded PGlite in a temporary folder. Tests
 * never wipe it; each creates its own partners and clients.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-test-"));
    embedded = await startEmbeddedDatabase(dataDir, "test");
    url = embedded.url;
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await runMigrations(pool);
  await pool.end();
  project.provide("databaseUrl", url);
  project.provide("databaseIsEmbedded", embedded !== undefined);
  return async () => {
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
