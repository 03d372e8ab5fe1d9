/**
 * The production build (`npm start`) for a benchmark: built first if there is
 * no build, on DATABASE_URL (migrated first, with a throwaway signing key) or
 * on a fresh embedded data folder, with development-only secrets labelled as
 * such. `stop()` ends the server and removes the folder.
 */
import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

export interface BenchServer {
  base: string;
  /** The process started for the server (its children are the HTTP server and, embedded, the database's owner). */
  pid: number;
  /** The server's environment, for running the admin CLI against its database. */
  env: NodeJS.ProcessEnv;
  /** Runs `gatehouse <args>` against the server's database and returns what it printed. */
  cli: (args: string[]) => string;
  stop(): Promise<void>;
}

async function waitForHealth(base: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the server did not become healthy in time");
}

export async function startBenchServer(o: {
  port: number;
  env?: Record<string, string>;
  stdout?: "inherit" | "ignore";
  /** Node options for the server's processes only (not the CLI runs), such as `--cpu-prof`: the server is then started as `node <options> --import tsx scripts/serve.ts start`, which hands them on to the HTTP server. */
  nodeArgs?: string[];
}): Promise<BenchServer> {
  const base = `http://127.0.0.1:${o.port}`;
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    process.stdout.write("No production build: running npm run build\n");
    execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-bench-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(o.port),
    GATEHOUSE_DATA_DIR: dataDir,
    AUTH_SECRET: process.env.AUTH_SECRET ?? "bench-only-auth-secret-not-for-production-000",
    APP_URL: base,
    LOG_LEVEL: "warn",
    // A throwaway signing key for this run: production mode on PostgreSQL refuses to start without one.
    JWT_PRIVATE_KEYS:
      process.env.JWT_PRIVATE_KEYS ??
      (process.env.DATABASE_URL
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
            .privateKey.export({ type: "pkcs8", format: "pem" })
            .toString()
        : undefined),
    ...o.env,
  };
  const cli = (args: string[]) =>
    execFileSync("npm", ["run", "-s", "gatehouse", "--", ...args], {
      cwd: root,
      env,
      encoding: "utf8",
      maxBuffer: 16 * 2 ** 20,
    });
  // PostgreSQL is migrated by the operator in production; here the benchmark does it.
  if (process.env.DATABASE_URL) cli(["migrate"]);
  const [command, args] = o.nodeArgs
    ? [process.execPath, [...o.nodeArgs, "--import", "tsx", path.join("scripts", "serve.ts"), "start"]]
    : ["npm", ["start"]];
  const server = spawn(command, args, {
    cwd: root,
    env,
    stdio: ["ignore", o.stdout ?? "inherit", "inherit"],
    detached: true,
  });
  const exited = new Promise((resolve) => server.once("exit", resolve));
  const kill = () => {
    try {
      process.kill(-server.pid!, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  process.on("exit", kill);
  const stop = async () => {
    kill();
    // The data folder goes once the server (and the database it owns) has let go of it.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(base, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, pid: server.pid!, env, cli, stop };
}

/** The last line of a CLI command's output, which `--json` commands print as JSON. */
export function lastJson<T>(output: string): T {
  return JSON.parse(output.trim().split("\n").at(-1)!) as T;
}
