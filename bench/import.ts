/**
 * The bulk import as an operator runs it: CSV files of 10k and 100k rows
 * (a mix of argon2id, bcrypt and empty password hashes, the hashes made once
 * and reused, so the file costs nothing to write) imported with
 * `gatehouse clients import --json` in a child process of its own, whose
 * peak RSS (GNU time's maximum resident set size) is the memory figure. For
 * each size: the dry run alone (staging every row), then the whole command
 * (dry run and import); the import phase is timed by the job itself
 * (started_at to finished_at, the database's clock). It imports into a
 * partner of its own in the database it is given: DATABASE_URL, or a fresh
 * embedded one when unset.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { openBenchDatabase } from "./database";
import { line } from "./report";

export interface ImportBenchOptions {
  sizes: number[];
}

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");
const HEADER =
  "email,firstName,lastName,countryCode,birthDate,verificationStatus,verificationLevel,passwordHash,postalCode,address1,externalId\n";
const COUNTRIES = ["LV", "LT", "EE", "DE", "FI", "SE", "PL", "GB"];
const STATUSES = ["not_verified", "email_verified", "phone_verified", "identified"];

async function writeCsv(file: string, rows: number, hashes: string[], tag: string): Promise<void> {
  const out = createWriteStream(file);
  out.write(HEADER);
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const status = STATUSES[i % STATUSES.length]!;
    chunk +=
      `bench-${tag}-${i}@import.bench.test,Client${i},"Imported, ${i % 997}",${COUNTRIES[i % COUNTRIES.length]},` +
      `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10},${status},${status === "identified" ? 3 : 0},` +
      `"${hashes[i % hashes.length]}",LV-${1000 + (i % 9000)},Street ${i % 300},crm-${i}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

interface CliRun {
  ms: number;
  peakRssMb: number;
  counts: Record<string, number>;
}

/** The CLI in a process of its own (node with tsx's loader, no npx in between), under GNU time for its peak RSS. */
async function importCli(args: string[]): Promise<CliRun> {
  const started = performance.now();
  const { stdout, stderr } = await run(
    "/usr/bin/time",
    ["-v", process.execPath, "--import", "tsx", "scripts/gatehouse.ts", "clients", "import", ...args, "--json"],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: "warn" },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 30 * 60_000,
    },
  );
  const ms = performance.now() - started;
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
  const counts = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>;
  return { ms, peakRssMb: rssKb / 1024, counts };
}

export async function runImportScenario(o: ImportBenchOptions): Promise<boolean> {
  const database = await openBenchDatabase("import", {
    IMPORT_WORKER: "off",
    FUNNEL_ROLLUP_SECONDS: process.env.FUNNEL_ROLLUP_SECONDS ?? "60",
  });
  const onPostgres = database.onPostgres;
  const databaseLabel = database.label;
  const files = mkdtempSync(path.join(os.tmpdir(), "gatehouse-bench-import-files-"));
  const { migrate } = await import("../server/setup/database");
  const { systemCaller } = await import("../server/caller");
  const { createPartner } = await import("../server/partners/create");
  const { createPartnerSchema } = await import("../server/partners/schemas");
  const { hashPassword } = await import("../server/passwords/hasher");
  const { hash: bcryptHash } = await import("@node-rs/bcrypt");
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  let allPassed = true;
  try {
    await migrate();
    // A handful of hashes, reused row after row: argon2id, bcrypt (cost 10) and empty (the client must reset).
    const hashes = [
      await hashPassword("bench-password-1"),
      await hashPassword("bench-password-2"),
      await bcryptHash("bench-password-3", { cost: 10 }),
      await bcryptHash("bench-password-4", { cost: 10 }),
      "",
    ];
    const rssBySize = new Map<number, number>();
    for (const size of o.sizes) {
      // A partner per size, so each import is a first import and the table keeps growing between sizes.
      const partner = await createPartner(
        systemCaller("bench"),
        createPartnerSchema.parse({
          name: `Bench import ${randomUUID().slice(0, 6)}`,
          quotaPerIpHour: 0,
          quotaTotalHour: 0,
        }),
      );
      const file = path.join(files, `clients-${size}.csv`);
      const writing = performance.now();
      await writeCsv(file, size, hashes, `${partner.id}`);
      const writeMs = performance.now() - writing;
      const args = ["--partner", String(partner.id), "--file", file];

      const dry = await importCli([...args, "--dry-run"]);
      const full = await importCli(args);
      const [job] = (
        await pool.query<{ import_ms: number; whole_ms: number }>(
          `select extract(epoch from finished_at - started_at) * 1000 as import_ms,
                  extract(epoch from finished_at - created_at) * 1000 as whole_ms
           from import_jobs where partner_id = $1 and status = 'completed' order by created_at desc limit 1`,
          [partner.id],
        )
      ).rows;
      const [{ n } = { n: 0 }] = (
        await pool.query<{ n: number }>(
          "select count(*)::int as n from clients where partner_id = $1 and created_via = 'import'",
          [partner.id],
        )
      ).rows;
      rssBySize.set(size, full.peakRssMb);

      const importRate = size / (Number(job?.import_ms) / 1000);
      const wholeRate = size / (full.ms / 1000);
      const big = size >= 100_000;
      process.stdout.write(
        `\n${databaseLabel}, import of ${size.toLocaleString("en")} rows (file written in ${(writeMs / 1000).toFixed(1)} s):\n`,
      );
      const imported = full.counts.imported === size && n === size;
      line("rows imported (clients created)", `${n.toLocaleString("en")}`, `${size.toLocaleString("en")}`, imported);
      line(
        "dry run (stage every row), whole command",
        `${(dry.ms / 1000).toFixed(1)} s`,
        big ? "< 30 s for 100,000 rows" : "reference",
        big ? dry.ms < 30_000 : undefined,
      );
      line(
        "import phase (started → finished)",
        `${Math.round(importRate).toLocaleString("en")} rows/s`,
        big && onPostgres ? "≥ 1,000 rows/s on PostgreSQL" : "reference",
        big && onPostgres ? importRate >= 1000 : undefined,
      );
      line(
        "whole command (dry run + import)",
        `${Math.round(wholeRate).toLocaleString("en")} rows/s`,
        `reference (${(full.ms / 1000).toFixed(1)} s)`,
      );
      line("peak RSS of the importing process", `${full.peakRssMb.toFixed(0)} MB`, "< 250 MB", full.peakRssMb < 250);
      line("peak RSS of the dry run alone", `${dry.peakRssMb.toFixed(0)} MB`, "reference");
      allPassed &&= imported && full.peakRssMb < 250;
      if (big) allPassed &&= dry.ms < 30_000 && (!onPostgres || importRate >= 1000);
    }
    const sizes = [...rssBySize.keys()].sort((a, b) => a - b);
    if (sizes.length > 1) {
      const small = rssBySize.get(sizes[0]!)!;
      const large = rssBySize.get(sizes.at(-1)!)!;
      // Flat: the larger file may cost a little more (the emails seen, bigger batches of results), not in proportion.
      const flat = large < small * 1.5;
      line(
        `peak RSS ${sizes[0]!.toLocaleString("en")} → ${sizes.at(-1)!.toLocaleString("en")} rows`,
        `×${(large / small).toFixed(2)}`,
        "roughly flat (< ×1.5)",
        flat,
      );
      allPassed &&= flat;
    }
  } finally {
    await pool.end();
    await database.close();
    rmSync(files, { recursive: true, force: true });
  }
  return allPassed;
}
