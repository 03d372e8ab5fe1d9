/**
 * The public API under load (`npm run bench -- --scenario api`).
 *
 * Starts the production build (`npm start`) on a fresh embedded database, or
 * on DATABASE_URL when set, and measures in one run, on this machine:
 *   1. the raw argon2id hash rate with the app's parameters (no server load);
 *   2. white-label registration throughput (a partner with quotas off);
 *   3. the p99 latency of cheap endpoints (JWKS, health) while registrations
 *      saturate the CPU.
 * Prints one line per figure with its goal. Builds the app first if needed.
 */
import { hash } from "@node-rs/argon2";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ARGON2_PARAMS } from "../server/passwords/hasher";
import { printProfile, readProfiles } from "./profile";
import { line, percentile } from "./report";
import { lastJson, startBenchServer } from "./server";

export interface ApiOptions {
  seconds: number;
  concurrency: number;
  port: number;
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

export async function runApiScenario({ seconds, concurrency, port, profile }: ApiOptions): Promise<boolean> {
  const profileDir = profile ? mkdtempSync(path.join(os.tmpdir(), "gatehouse-profile-")) : undefined;
  const server = await startBenchServer({
    port,
    nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : undefined,
  });
  const base = server.base;
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

    // Warm up: first requests compile nothing in production, but fill caches and pools.
    for (let i = 0; i < 5; i++)
      await fetch(`${base}/api/public/register`, {
        method: "POST",
        headers: { partnerId: String(partnerId), "content-type": "application/json" },
        body: registrationBody(),
      });

    let registered = 0;
    let failed = 0;
    const statuses = new Map<number, number>();
    const latencies: Record<string, number[]> = { "/.well-known/jwks.json": [], "/api/health": [] };
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    const workers = Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const res = await fetch(`${base}/api/public/register`, {
          method: "POST",
          headers: { partnerId: String(partnerId), "content-type": "application/json" },
          body: registrationBody(),
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) registered++;
        else failed++;
      }
    });
    const probes = Object.keys(latencies).map(async (endpoint) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const res = await fetch(base + endpoint);
        await res.arrayBuffer();
        latencies[endpoint]!.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await Promise.all([...workers, ...probes]);
    const elapsed = (performance.now() - started) / 1000;
    const regRate = registered / elapsed;
    if (profileDir) {
      // The profiles are written as the processes exit: stop now, so the profile's last seconds are this phase.
      await server.stop();
      printProfile(readProfiles(profileDir, elapsed * 1000), registered);
      process.stdout.write("\n");
    }

    line("argon2id raw hash rate (m=19456,t=2,p=1)", `${rawRate.toFixed(1)}/s`, "reference");
    line(
      "white-label registrations",
      `${regRate.toFixed(1)}/s`,
      `>= 90% of hash rate (${(0.9 * rawRate).toFixed(1)}/s)`,
      regRate >= 0.9 * rawRate,
    );
    line("registrations / hash rate", `${((100 * regRate) / rawRate).toFixed(1)}%`, ">= 90%", regRate >= 0.9 * rawRate);
    line("registration responses", [...statuses].map(([s, n]) => `${s}×${n}`).join(" "), "all 201");
    for (const [endpoint, values] of Object.entries(latencies)) {
      const sorted = [...values].sort((a, b) => a - b);
      const p99 = percentile(sorted, 99);
      line(`p99 ${endpoint} under load (n=${sorted.length})`, `${p99.toFixed(1)} ms`, "< 50 ms", p99 < 50);
    }
    return (
      failed === 0 &&
      regRate >= 0.9 * rawRate &&
      Object.values(latencies).every(
        (v) =>
          percentile(
            [...v].sort((a, b) => a - b),
            99,
          ) < 50,
      )
    );
  } finally {
    await server.stop();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}
