/**
 * `npm run dev` and `npm start`. In embedded mode (no DATABASE_URL) this
 * process owns the PGlite data folder, applies migrations, seeds a first
 * admin and sandbox partner, and runs Next.js as a child that connects to it
 * over the PostgreSQL protocol. With DATABASE_URL it just runs Next.js
 * (through scripts/http-server.ts).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const mode = process.argv[2];
if (mode !== "dev" && mode !== "start") {
  process.stderr.write("usage: tsx scripts/serve.ts dev|start\n");
  process.exit(2);
}
Object.assign(process.env, { NODE_ENV: mode === "start" ? "production" : "development" });
process.env.NEXT_TELEMETRY_DISABLED = "1";

// The same .env files Next.js reads, so this process and the server agree on the configuration.
const { loadEnvConfig } = await import("@next/env");
loadEnvConfig(path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."), mode === "dev");

const { config, ConfigError } = await import("../env");
const { openDatabase, migrate, getDb } = await import("../server/setup/database");
const { describeFirstStart, seedFirstStart } = await import("../server/setup/first-start");

let c;
try {
  c = config();
} catch (e) {
  process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
  process.exit(1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(root, c.GATEHOUSE_DATA_DIR);
process.env.GATEHOUSE_DATA_DIR = dataDir;

let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
try {
  database = await openDatabase("server");
  if (c.embedded || mode === "dev") {
    await migrate();
    const lines = describeFirstStart(await seedFirstStart(getDb()));
    for (const line of lines) process.stdout.write(`${line}\n`);
  }
} catch (e) {
  process.stderr.write(`Cannot open the database: ${(e as Error).message}\n`);
  await database?.close().catch(() => undefined);
  process.exit(1);
}
if (c.embedded) process.stdout.write(`Embedded PostgreSQL (PGlite) in ${dataDir}\n`);
if (c.isProduction) {
  const { missingKycProviderWarning } = await import("../server/kyc/provider");
  const warning = await missingKycProviderWarning(getDb()).catch(() => undefined);
  if (warning) process.stderr.write(`Warning: ${warning}\n`);
}

// Next.js runs behind a server of ours, which knows each request's socket (scripts/http-server.ts). It runs with
// this process's Node options (`node --max-old-space-size=… --import tsx scripts/serve.ts start` hands them on),
// less the ones that load tsx, which it loads itself.
const nodeArgs = process.execArgv.filter(
  (arg, i, all) => !arg.includes("tsx") && !(/^--(require|import)$/.test(arg) && all[i + 1]?.includes("tsx")),
);
const child = spawn(
  process.execPath,
  [...nodeArgs, "--import", "tsx", path.join(root, "scripts", "http-server.ts"), mode],
  {
    cwd: root,
    stdio: "inherit",
    env: process.env,
  },
);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  // Close PGlite cleanly so the data folder is consistent on the next start.
  await database?.close().catch((e) => process.stderr.write(`closing the database: ${(e as Error).message}\n`));
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));
child.on("exit", (code) => void shutdown(code ?? 0));
