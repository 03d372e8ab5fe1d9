import { resolve } from "node:path";
import { closeDb, getDb, getPool } from "../../db/client";
import { readEmbeddedOwner } from "../../db/embedded-owner";
import { EmbeddedDatabaseBusyError, startEmbeddedDatabase, type EmbeddedDatabase } from "../../db/embedded-server";
import { runMigrations } from "../../db/migrate";
import { config } from "../../env";
import { sealPlainSigningKeys } from "../tokens/signing-keys";

/**
 * For processes outside Next.js (launcher, CLI, benchmarks): make the
 * database reachable. With DATABASE_URL nothing is started. In embedded mode
 * this process connects to the process that owns the data folder, or becomes
 * the owner itself when there is none.
 */
export async function openDatabase(
  role: "server" | "cli",
): Promise<{ embedded?: EmbeddedDatabase; close(): Promise<void> }> {
  const c = config();
  if (!c.embedded) return { close: closeDb };
  const dataDir = resolve(c.GATEHOUSE_DATA_DIR);
  if (role === "cli" && readEmbeddedOwner(dataDir)) return { close: closeDb };
  let embedded: EmbeddedDatabase;
  try {
    embedded = await startEmbeddedDatabase(dataDir, role);
  } catch (e) {
    // Another process is opening the folder right now: use it once it is serving.
    if (role === "cli" && e instanceof EmbeddedDatabaseBusyError && (await waitForOwner(dataDir, 15_000)))
      return { close: closeDb };
    throw e;
  }
  return {
    embedded,
    async close() {
      await closeDb();
      await embedded.stop();
    },
  };
}

async function waitForOwner(dataDir: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (readEmbeddedOwner(dataDir)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * Brings the database up to this release: the schema migrations, then the
 * secrets an earlier release stored in plain text, sealed in place (that needs
 * AUTH_SECRET, so it cannot be a SQL migration). The launcher and the CLI's
 * `migrate` run this on every start; both steps do nothing when already done.
 */
export async function migrate(): Promise<void> {
  await runMigrations(getPool());
  await sealPlainSigningKeys();
}

export { getDb };
