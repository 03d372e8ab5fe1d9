import { existsSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import path from "node:path";
import { createPrivateFolder, PRIVATE_FILE_MODE } from "./embedded-folder";

/**
 * The embedded PostgreSQL (PGlite) is one Postgres in one process. The process
 * that opens the data folder writes this lock file; every other process reads
 * it and connects to the owner's socket server instead of opening the folder.
 * The url carries the socket's password, so the file is 0600.
 */
export interface EmbeddedOwner {
  pid: number;
  url: string;
  role: "server" | "cli" | "test";
  startedAt: string;
}

function ownerFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), "owner.json");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readEmbeddedOwner(dataDir: string): EmbeddedOwner | undefined {
  const file = ownerFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as EmbeddedOwner;
    // An empty url means the owner has claimed the folder but is still starting.
    if (typeof owner.pid !== "number" || typeof owner.url !== "string" || owner.url === "") return undefined;
    return isAlive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims the data folder for this process. Returns false when a live process
 * already owns it. A lock left by a dead process is taken over.
 */
export function claimEmbeddedOwnership(dataDir: string): boolean {
  createPrivateFolder(dataDir);
  const file = ownerFile(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", PRIVATE_FILE_MODE);
      writeFileSync(
        fd,
        JSON.stringify({ pid: process.pid, url: "", role: "server", startedAt: new Date().toISOString() }),
      );
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let pid: number | undefined;
      try {
        pid = (JSON.parse(readFileSync(file, "utf8")) as { pid?: number }).pid;
      } catch {
        // A half-written file from a process that died while claiming.
      }
      if (pid !== undefined && isAlive(pid)) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

export function publishEmbeddedOwner(dataDir: string, owner: Omit<EmbeddedOwner, "pid" | "startedAt">): void {
  const record: EmbeddedOwner = { pid: process.pid, startedAt: new Date().toISOString(), ...owner };
  writeFileSync(ownerFile(dataDir), JSON.stringify(record), { mode: PRIVATE_FILE_MODE });
}

export function releaseEmbeddedOwnership(dataDir: string): void {
  const file = ownerFile(dataDir);
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as { pid?: number };
    if (owner.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}
