import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, in a temporary folder, that the test
 * may stop and start while the app is using it. Tests that kill the database
 * cannot share the server every other test uses.
 */
export interface PostgresCluster {
  url: string;
  port: number;
  start(): Promise<void>;
  /** "immediate" drops every connection at once, as a crash would; "fast" rolls back open transactions first. */
  stop(mode: "immediate" | "fast"): Promise<void>;
  /** Stops the cluster if it runs and deletes its folder. */
  destroy(): Promise<void>;
}

/** Where initdb and pg_ctl are: on PATH, else Debian's versioned folder; undefined when PostgreSQL is not installed. */
export function findPostgresBinaries(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"))) return dir;
  }
  const debian = "/usr/lib/postgresql";
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian)
    .filter((v) => existsSync(path.join(debian, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(debian, versions[0], "bin") : undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * PostgreSQL refuses to run as root: when the tests run as root, the cluster
 * belongs to the `postgres` OS user and its commands run through runuser.
 */
function asOwner():
  { uid: number; gid: number; wrap: (cmd: string, args: string[]) => [string, string[]] } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("Running as root, but there is no postgres OS user to own a test cluster");
  const [, , uid, gid] = line.split(":");
  return {
    uid: Number(uid),
    gid: Number(gid),
    wrap: (cmd, args) => ["runuser", ["-u", "postgres", "--", cmd, ...args]],
  };
}

export async function createPostgresCluster(binDir: string): Promise<PostgresCluster> {
  const root = mkdtempSync(path.join(os.tmpdir(), "gatehouse-pg-"));
  const dataDir = path.join(root, "data");
  const owner = asOwner();
  if (owner) chownSync(root, owner.uid, owner.gid);
  const exec = (tool: string, args: string[]) => {
    const [cmd, argv] = owner ? owner.wrap(path.join(binDir, tool), args) : [path.join(binDir, tool), args];
    return run(cmd, argv, { timeout: 60_000 });
  };
  await exec("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  // The socket folder is the cluster's own, so nothing collides with the system's server.
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  let running = false;
  const cluster: PostgresCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await exec("pg_ctl", [
        "-D",
        dataDir,
        "-l",
        path.join(root, "server.log"),
        "-o",
        options,
        "-w",
        "-t",
        "30",
        "start",
      ]);
      running = true;
    },
    async stop(mode) {
      await exec("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", "30", "stop"]);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop("immediate").catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}
