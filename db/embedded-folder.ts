import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";

/**
 * The embedded data folder holds the whole database and the password of its
 * socket, so only the user running Gatehouse may enter it: the folder is
 * 0700 and everything we or PGlite write in it ends up 0600 (docs/decisions/0017).
 */

const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function pgdataDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), "pgdata");
}

function passwordFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), "wire-password");
}

/** Creates the folder 0700, and closes one an earlier release left 0755. */
export function createPrivateFolder(dataDir: string): void {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * PGlite writes its files 0666 and folders 0755 whatever the umask (its
 * in-memory file system applies its own), so its tree is tightened after it
 * opens the folder and again after it closes it. Files it creates in between
 * sit inside folders that are already 0700.
 */
export function makePrivate(target: string): void {
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) return;
  const wanted = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
  if ((stat.mode & 0o777) !== wanted) chmodSync(target, wanted);
  if (stat.isDirectory()) for (const entry of readdirSync(target)) makePrivate(path.join(target, entry));
}

const PASSWORD_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The password of the folder's wire socket: 256 random bits, made when the
 * folder is first sealed and kept (0600) so that a restarted owner accepts the
 * connection strings its clients already hold. Only the owner calls this.
 */
export function wirePassword(dataDir: string): string {
  const file = passwordFile(dataDir);
  let password: string | undefined;
  try {
    password = readFileSync(file, "utf8").trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  if (password === undefined || !PASSWORD_FORMAT.test(password)) {
    // Missing (a folder from before passwords) or cut short by a crash: a new one is harmless, no client is connected yet.
    password = randomBytes(32).toString("base64url");
    writeFileSync(file, password, { mode: PRIVATE_FILE_MODE });
  }
  chmodSync(file, PRIVATE_FILE_MODE);
  return password;
}
