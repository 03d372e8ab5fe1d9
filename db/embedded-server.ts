import type { PGlite } from "@electric-sql/pglite";
import path from "node:path";
import { makePrivate, pgdataDir, wirePassword } from "./embedded-folder";
import { serveOverWire, type WireServer } from "./wire-server";
import {
  claimEmbeddedOwnership,
  publishEmbeddedOwner,
  readEmbeddedOwner,
  releaseEmbeddedOwnership,
  type EmbeddedOwner,
} from "./embedded-owner";

export class EmbeddedDatabaseBusyError extends Error {
  override name = "EmbeddedDatabaseBusyError";
}

export interface EmbeddedDatabase {
  /** Carries the socket's password: pass it to a driver, never print it. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Opens the PGlite data folder in this process and serves it over the
 * PostgreSQL wire protocol on a loopback port, so that this process and any
 * other (the Next.js server, the admin CLI) use the same node-postgres driver.
 * The folder is private to this user and the socket asks for the folder's
 * password (docs/decisions/0017); the owner file publishes it to our other processes.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  role: EmbeddedOwner["role"],
  options: { port?: number } = {},
): Promise<EmbeddedDatabase> {
  if (!claimEmbeddedOwnership(dataDir)) {
    const owner = readEmbeddedOwner(dataDir);
    throw new EmbeddedDatabaseBusyError(
      `The embedded database in ${path.resolve(dataDir)} is already open in process ${owner?.pid ?? "?"}. ` +
        "Only one process may open it; connect to that one or stop it first.",
    );
  }
  let db: PGlite | undefined;
  let server: WireServer | undefined;
  try {
    const password = wirePassword(dataDir);
    // Loaded here, not at the top: a process that connects to a server (PostgreSQL, or the
    // embedded database's owner) never needs PGlite, which alone adds some 40 MB to it.
    const { PGlite } = await import("@electric-sql/pglite");
    db = await PGlite.create(pgdataDir(dataDir));
    makePrivate(pgdataDir(dataDir));
    server = await serveOverWire(db, { password, port: options.port });
    const url = `postgres://postgres:${password}@127.0.0.1:${server.port}/postgres`;
    publishEmbeddedOwner(dataDir, { url, role });
    let stopped = false;
    const s = server;
    const d = db;
    return {
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        await s.close();
        await d.close();
        // PGlite rewrote some files (its relation cache) with its own open modes.
        makePrivate(pgdataDir(dataDir));
        releaseEmbeddedOwnership(dataDir);
      },
    };
  } catch (e) {
    await server?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    releaseEmbeddedOwnership(dataDir);
    throw e;
  }
}
