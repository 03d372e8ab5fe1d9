/**
 * The public API under load (`npm run bench -- --scenario api`).
 *
 * Starts the production build (`npm start`) on a fresh embedded database, or
 * on DATABASE_URL when set, and measures in one run, on this machine:
 *   1. the raw argon2id hash rate with the app's parameters (no server load);
 *   2. white-label registration throughput (a partner with quotas off);
 *   3. the p99 latency of cheap endpoints (JWKS, health) while registrations
 *      saturate the CPU;
 *   4. the CPU time of 400 more registrations (no probes), per registration,
 *      read from /proc for the HTTP server, the database (PostgreSQL's
 *      backends for this database, or the embedded database's process) and
 *      this load generator, against the CPU time of one argon2id hash;
 *   5. with --profile, a CPU profile of the HTTP server during step 4: the
 *      top 15 functions by self time and the time per library (profile.ts).
 * Prints one line per figure with its goal. Builds the app first if needed.
 */
import { hash } from "@node-rs/argon2";
import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ARGON2_PARAMS } from "../server/passwords/hasher";
import { cpuMsBetween, cpuMsOf, processTree } from "./cpu-time";
import { httpClient } from "./http-client";
import { printProfile, readProfiles } from "./profile";
import { line, percentile } from "./report";
import { lastJson, startBenchServer } from "./server";

/** Registrations per second against the raw hash rate of the same machine: each registration hashes once. */
const RATIO_GOAL = 0.75;

export interface ApiOptions {
  seconds: number;
  concurrency: number;
  port: number;
  /** Registrations whose CPU time is measured, after the throughput phase (400 by default). */
  costRegistrations?: number;
  /** Node options for the server's processes (`--node-args "--max-semi-space-size=64"`), to try a runtime setting. */
  nodeArgs?: string[];
  /** Record a CPU profile of the server's processes and print where the registration phase's time went. */
  profile?: boolean;
}

async function hashRate(durationS: number, parallel: number): Promise<number> {
  const deadline = performance.now() + durationS * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < deadline) {
        await hash(`bench-password-${count}`, ARGON2_PARAMS);
        count++;
      }
    }),
  );
  return count / durationS;
}

/** CPU milliseconds one argon2id hash with the app's parameters costs, from `n` hashes one after another. */
async function hashCpuMs(n: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await hash(`bench-password-${i}`, ARGON2_PARAMS);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

const isHttpServer = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("http-server.ts");
  } catch {
    return false;
  }
};

/** The server's processes, split into the HTTP server and the rest (embedded: the process running the database). */
function serverProcesses(root: number) {
  const tree = processTree(root);
  return { http: tree.filter(isHttpServer), rest: tree.filter((p) => !isHttpServer(p)) };
}

/** The PostgreSQL backends serving this database, but for the one asking. */
async function backendPids(pool: pg.Pool | undefined): Promise<number[]> {
  if (!pool) return [];
  const { rows } = await pool.query<{ pid: number }>(
    "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
  );
  return rows.map((r) => r.pid);
}

function registrationBody() {
  return JSON.stringify({
    firstName: "Bench",
    lastName: "Client",
    email: `bench-${randomUUID()}@example.test`,
    countryCode: "LV",
    password: "Qwerty123",
    referralCode: null,
    agreed: true,
    birthDate: "1990-01-01",
  });
}

export async function runApiScenario({
  seconds,
  concurrency,
  port,
  profile,
  costRegistrations = 400,
  nodeArgs = [],
}: ApiOptions): Promise<boolean> {
  const profileDir = profile ? mkdtempSync(path.join(os.tmpdir(), "gatehouse-profile-")) : undefined;
  const server = await startBenchServer({
    port,
    nodeArgs:
      profileDir || nodeArgs.length > 0
        ? [...nodeArgs, ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])]
        : undefined,
  });
  const base = server.base;
  const clients: { close(): void }[] = [];
  try {
    const { partnerId } = lastJson<{ partnerId: number }>(
      server.cli(["partner", "create", "--name", "Bench partner", "--quota-ip", "0", "--quota-total", "0", "--json"]),
    );

    const cores = os.availableParallelism();
    process.stdout.write(
      `\nmachine: ${os.cpus()[0]?.model ?? "cpu"} × ${cores}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`,
    );
    process.stdout.write(
      `database: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite"}; ${seconds}s per phase; ${concurrency} concurrent registrations\n\n`,
    );

    const rawRate = await hashRate(seconds, cores);
    const hashMs = await hashCpuMs(40);
    // Registrations and probes on connections of their own: a probe never waits for a registration's socket.
    const client = httpClient(base, concurrency);
    const probeClient = httpClient(base, 2);
    clients.push(client, probeClient);
    const registrationHeaders = { partnerId: String(partnerId), "content-type": "application/json" };

    // Warm up: first requests compile nothing in production, but fill caches and open the pool's connections.
    for (let round = 0; round < 3; round++)
      await Promise.all([
        ...Array.from({ length: concurrency }, () =>
          client.post("/api/public/register", registrationHeaders, registrationBody()),
        ),
        ...["/.well-known/jwks.json", "/api/health"].map((p) => probeClient.get(p)),
      ]);

    const register = async () =>
      (await client.post("/api/public/register", registrationHeaders, registrationBody())).status;

    // Throughput, with the cheap endpoints probed meanwhile.
    let registered = 0;
    let failed = 0;
    const statuses = new Map<number, number>();
    const latencies: Record<string, number[]> = { "/.well-known/jwks.json": [], "/api/health": [] };
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    const workers = Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const status = await register();
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 201) registered++;
        else failed++;
      }
    });
    const probes = Object.keys(latencies).map(async (endpoint) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await probeClient.get(endpoint);
        latencies[endpoint]!.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await Promise.all([...workers, ...probes]);
    const elapsed = (performance.now() - started) / 1000;
    const regRate = registered / elapsed;

    // Cost: CPU time per registration from /proc, registrations only (no probes), however busy the machine was.
    const database = process.env.DATABASE_URL
      ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 })
      : undefined;
    const processes = serverProcesses(server.pid);
    const backendsBefore = await backendPids(database);
    const cpuBefore = {
      http: cpuMsOf(processes.http),
      rest: cpuMsOf(processes.rest),
      db: cpuMsOf(backendsBefore),
      bench: process.cpuUsage(),
    };
    let remaining = costRegistrations;
    const costStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (remaining-- > 0) {
          const status = await register();
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 201) failed++;
        }
      }),
    );
    const costElapsed = (performance.now() - costStarted) / 1000;
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const backends = [...new Set([...backendsBefore, ...(await backendPids(database))])];
    const cpu = {
      http: cpuMsBetween(cpuBefore.http, cpuMsOf(processes.http)),
      rest: cpuMsBetween(cpuBefore.rest, cpuMsOf(processes.rest)),
      db: cpuMsBetween(cpuBefore.db, cpuMsOf(backends)),
      bench: (benchCpu.user + benchCpu.system) / 1000,
    };
    await database?.end();
    if (profileDir) {
      // The profiles are written as the processes exit: stop now, so the profile's last seconds are the cost phase.
      await server.stop();
      printProfile(readProfiles(profileDir, costElapsed * 1000), costRegistrations);
      process.stdout.write("\n");
    }

    line("argon2id raw hash rate (m=19456,t=2,p=1)", `${rawRate.toFixed(1)}/s`, "reference");
    line(
      "white-label registrations",
      `${regRate.toFixed(1)}/s`,
      `>= ${100 * RATIO_GOAL}% of hash rate (${(RATIO_GOAL * rawRate).toFixed(1)}/s)`,
      regRate >= RATIO_GOAL * rawRate,
    );
    line(
      "registrations / hash rate",
      `${((100 * regRate) / rawRate).toFixed(1)}%`,
      `>= ${100 * RATIO_GOAL}% (90% later)`,
      regRate >= RATIO_GOAL * rawRate,
    );
    line("registration responses", [...statuses].map(([s, n]) => `${s}×${n}`).join(" "), "all 201");
    const per = (ms: number) => `${(ms / costRegistrations).toFixed(1)} ms`;
    line("argon2id CPU per hash (40 in one process)", `${hashMs.toFixed(1)} ms`, "reference");
    line(`HTTP server CPU per registration (${costRegistrations})`, per(cpu.http), "reference");
    line(
      "  of which outside the one hash",
      `${(cpu.http / costRegistrations - hashMs).toFixed(1)} ms`,
      "<= 4 ms (issue goal), <= 2 ms (compass)",
    );
    if (database) line("PostgreSQL backends' CPU per registration", per(cpu.db), "<= 2 ms");
    else line("embedded database process CPU per registration", per(cpu.rest), "reference");
    line("load generator CPU per registration", per(cpu.bench), "reference");
    for (const [endpoint, values] of Object.entries(latencies)) {
      const sorted = [...values].sort((a, b) => a - b);
      const p99 = percentile(sorted, 99);
      line(`p99 ${endpoint} under load (n=${sorted.length})`, `${p99.toFixed(1)} ms`, "< 50 ms", p99 < 50);
    }
    return (
      failed === 0 &&
      regRate >= RATIO_GOAL * rawRate &&
      Object.values(latencies).every(
        (v) =>
          percentile(
            [...v].sort((a, b) => a - b),
            99,
          ) < 50,
      )
    );
  } finally {
    for (const c of clients) c.close();
    await server.stop();
    // BENCH_PROFILE_KEEP=<folder> keeps the .cpuprofile files (for Chrome DevTools or a closer look).
    if (profileDir && process.env.BENCH_PROFILE_KEEP)
      cpSync(profileDir, process.env.BENCH_PROFILE_KEEP, { recursive: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}
