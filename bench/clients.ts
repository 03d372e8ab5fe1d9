/**
 * The back office at scale: seeds clients in steps (10k → 100k → 1M by
 * default) and at each size measures, in one run:
 *   - the clients list as the Clients page reads it (the `client.list`
 *     procedure, as an admin: the staff guard, scope, validation, the query)
 *     beside the same SQL through raw `pg`, for every query shape, with
 *     EXPLAIN checking that each shape uses an index;
 *   - the CSV export of every client, streamed by a child process whose peak
 *     RSS is the figure;
 *   - the Overview funnel of every partner over 30 days;
 *   - and the time the seeding took.
 * Each size is seeded as `gatehouse seed --clients N --partner P` seeds (its
 * command, ANALYZE and funnel recount included), and before anything else
 * reads the table the list of that partner with one filter (blocked, a
 * country, identified, `q=a`) is timed: the first page a person opens after
 * a load must not wait for statistics the planner does not have yet.
 * It seeds its own partner and clients into the database it is given: use an
 * empty one (DATABASE_URL), or leave DATABASE_URL unset for a fresh embedded one.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import pg from "pg";
import type { SeedClientsReport } from "../server/setup/demo-seed";
import { benchPartnerAndAdmin, openBenchDatabase } from "./database";
import { line, percentile } from "./report";

export interface ClientsOptions {
  sizes: number[];
  iterations: number;
}

interface Shape {
  name: string;
  /** The list's filters, as the page passes them to `client.list`. */
  input: Record<string, unknown>;
  /** Takes the cursor of the first page and reads the second. */
  nextPage?: boolean;
}

const root = path.resolve(import.meta.dirname, "..");

/** The Clients page filtered to one partner and one more filter, as timed right after seeding. */
const afterSeedingShapes: Shape[] = [
  { name: "blocked", input: { state: "blocked" } },
  { name: "country", input: { countryCode: "LT" } },
  { name: "identified", input: { verificationStatus: "identified" } },
  { name: "q=a", input: { q: "a" } },
];
const AFTER_SEEDING_GOAL_MS = 100;

/** Tables a plan reads with a sequential scan, anywhere in its tree. */
function seqScannedRelations(plan: unknown): string[] {
  if (Array.isArray(plan)) return plan.flatMap(seqScannedRelations);
  if (!plan || typeof plan !== "object") return [];
  const node = plan as Record<string, unknown>;
  const own =
    node["Node Type"] === "Seq Scan" && typeof node["Relation Name"] === "string" ? [node["Relation Name"]] : [];
  return [...own, ...Object.values(node).flatMap(seqScannedRelations)];
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Where the planner's statistics of `clients` came from, for the after-seeding figures' report. */
async function clientsStatistics(pool: pg.Pool, since: Date): Promise<string> {
  const [row] = (
    await pool.query<{ last_analyze: Date | null; last_autoanalyze: Date | null }>(
      "select last_analyze, last_autoanalyze from pg_stat_user_tables where relname = 'clients'",
    )
  ).rows;
  const fresh = (at: Date | null | undefined) => at && at >= since;
  if (fresh(row?.last_analyze)) return "ANALYZE during the seed command";
  if (fresh(row?.last_autoanalyze)) return "autovacuum's analyze, not the seed's";
  return "none since the seed started";
}

export async function runClientsScenario(o: ClientsOptions): Promise<boolean> {
  const database = await openBenchDatabase("clients");
  let allPassed = true;
  const { migrate } = await import("../server/setup/database");
  const { systemCaller } = await import("../server/caller");
  const { seedCommand } = await import("../server/cli/commands");
  const { clientListStatement } = await import("../server/clients/list");
  const { clientListInputSchema } = await import("../server/clients/schemas");
  const { refreshFunnelRollup } = await import("../server/overview/funnel-rollup");
  try {
    await migrate();
    const bench = systemCaller("bench");
    const { partner, caller } = await benchPartnerAndAdmin("clients");
    const rawPool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });

    /**
     * One partner's clients with one filter, as the Clients page lists them
     * (`client.list`, its page size), timed from the first call on: nothing
     * warms the table or the plans first.
     */
    const timeAfterSeeding = async (seedStarted: Date | undefined) => {
      const figures: Array<{ name: string; p95: number; first: number; rows: number }> = [];
      for (const shape of afterSeedingShapes) {
        const input = clientListInputSchema.parse({ ...shape.input, partnerId: partner.id, limit: 50 });
        let rows = 0;
        const times: number[] = [];
        for (let i = 0; i < o.iterations; i++)
          times.push(
            await timeIt(async () => {
              rows = (await caller.client.list(input)).items.length;
            }),
          );
        const first = times[0]!;
        figures.push({
          name: shape.name,
          p95: percentile(
            times.sort((a, b) => a - b),
            95,
          ),
          first,
          rows,
        });
      }
      const statistics =
        database.onPostgres && seedStarted ? await clientsStatistics(rawPool, seedStarted) : "not read";
      return { figures, statistics };
    };

    let seeded = 0;
    let seedMs = 0;
    for (const size of o.sizes) {
      const add = size - seeded;
      let afterLoadMs: number | undefined;
      const seedStarted = new Date();
      if (add > 0) {
        // What `gatehouse seed --clients N --partner P` runs, ANALYZE and funnel recount at its end included.
        const commandStarted = performance.now();
        const result = await seedCommand({ clients: String(add), partner: String(partner.id) });
        const report = result.json?.clients as SeedClientsReport;
        seedMs += report.milliseconds;
        afterLoadMs = performance.now() - commandStarted - report.milliseconds;
        seeded = size;
      }
      // Before anything else reads or analyses the table: the page a person opens right after the load.
      const afterSeeding = await timeAfterSeeding(add > 0 ? seedStarted : undefined);
      process.stdout.write(`\n${database.label}, ${size.toLocaleString("en")} clients of one partner:\n`);
      line(
        `seeding ${size.toLocaleString("en")} clients (cumulative)`,
        `${(seedMs / 1000).toFixed(1)} s`,
        size >= 1_000_000 ? "< 120 s for 1,000,000" : "reference",
        size >= 1_000_000 ? seedMs < 120_000 : undefined,
      );
      if (afterLoadMs !== undefined)
        line("  then the seed's ANALYZE + funnel recount", `${(afterLoadMs / 1000).toFixed(1)} s`, "reference");
      for (const figure of afterSeeding.figures) {
        allPassed &&= figure.p95 < AFTER_SEEDING_GOAL_MS;
        line(
          `right after seeding: partner + ${figure.name}`,
          `${figure.p95.toFixed(1)} ms`,
          `p95 < ${AFTER_SEEDING_GOAL_MS} ms (first ${figure.first.toFixed(0)} ms, ${figure.rows} rows)`,
          figure.p95 < AFTER_SEEDING_GOAL_MS,
        );
      }
      line("  statistics of clients then", afterSeeding.statistics, "reference");

      // A name and an email prefix that exist in the seeded data.
      const [sample] = (
        await rawPool.query<{ email: string; last_name: string }>(
          "select email, last_name from clients where partner_id = $1 and last_name is not null limit 1",
          [partner.id],
        )
      ).rows;
      const emailPrefix = sample!.email.slice(0, 6);
      const shapes: Shape[] = [
        { name: "newest first, first page", input: {} },
        { name: "newest first, next page", input: {}, nextPage: true },
        { name: "email prefix search", input: { q: emailPrefix } },
        { name: "last name search", input: { q: sample!.last_name.slice(0, 5) } },
        { name: "partner filter", input: { partnerId: partner.id } },
        { name: "blocked clients", input: { state: "blocked" } },
        { name: "identified clients", input: { verificationStatus: "identified" } },
        { name: "country filter", input: { countryCode: "LT" } },
        { name: "level 3 clients", input: { verificationLevel: 3 } },
        { name: "sorted by email", input: { sort: "email_asc" } },
        { name: "sorted by email, next page", input: { sort: "email_asc" }, nextPage: true },
        { name: "oldest first", input: { sort: "created_asc" } },
      ];
      for (const shape of shapes) {
        let input = clientListInputSchema.parse({ ...shape.input, limit: 50 });
        if (shape.nextPage) {
          const first = await caller.client.list(input);
          input = { ...input, cursor: first.nextCursor };
        }
        // The statement an admin's list runs: an admin sees every partner, as the system does.
        const statement = clientListStatement(bench, input)!;
        const plan = (
          await rawPool.query<{ "QUERY PLAN": unknown }>({
            text: `explain (format json) ${statement.sql}`,
            values: statement.params,
          })
        ).rows[0]!["QUERY PLAN"];
        const seqScan = seqScannedRelations(plan).includes("clients");
        // What the Clients page runs for these filters: the staff guard, scope, validation, the query.
        const page = () => caller.client.list(input);
        const app: number[] = [];
        const raw: number[] = [];
        for (let i = 0; i < 3; i++) {
          await page();
          await rawPool.query({ text: statement.sql, values: statement.params });
        }
        // Interleaved, so drift on a noisy machine hits both the same way.
        for (let i = 0; i < o.iterations; i++) {
          app.push(await timeIt(page));
          raw.push(await timeIt(() => rawPool.query({ text: statement.sql, values: statement.params })));
        }
        const p95t = percentile(
          [...app].sort((a, b) => a - b),
          95,
        );
        const p95r = percentile(
          [...raw].sort((a, b) => a - b),
          95,
        );
        const ok = p95t <= 1.5 * p95r && p95t < 25 && !seqScan;
        allPassed &&= ok || size < 1_000_000;
        line(
          `list: ${shape.name}`,
          `${p95t.toFixed(1)} / ${p95r.toFixed(1)} ms`,
          `p95 page/raw <= 1.5x and < 25 ms; ${seqScan ? "SEQ SCAN" : "index"}`,
          size >= 1_000_000 ? ok : undefined,
        );
      }

      // The CSV export of every client, in a process of its own so its peak RSS is the export's.
      // Asynchronously: the embedded database runs in this process and must keep answering.
      const { stdout: exportOut } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", path.join(root, "bench", "export-child.ts")],
        {
          cwd: root,
          env: { ...process.env },
          encoding: "utf8",
          maxBuffer: 1024 * 1024,
        },
      );
      const exported = JSON.parse(exportOut.trim().split("\n").at(-1)!) as {
        rows: number;
        bytes: number;
        ms: number;
        maxRssMb: number;
      };
      const rssOk = exported.maxRssMb < 200;
      line(
        `CSV export of ${exported.rows.toLocaleString("en")} rows`,
        `${exported.maxRssMb.toFixed(0)} MB`,
        `peak RSS < 200 MB (${(exported.ms / 1000).toFixed(1)} s, ${(exported.bytes / 2 ** 20).toFixed(0)} MiB)`,
        size >= 1_000_000 ? rssOk : undefined,
      );
      allPassed &&= rssOk || size < 1_000_000;

      // As the app's job does every minute; then the page's query, served from the rollup.
      const rollupMs = await timeIt(() => refreshFunnelRollup());
      line("funnel rollup recount (background, per minute)", `${(rollupMs / 1000).toFixed(2)} s`, "reference");
      const funnel: number[] = [];
      await caller.overview.funnel({});
      for (let i = 0; i < Math.max(5, Math.floor(o.iterations / 3)); i++)
        funnel.push(await timeIt(() => caller.overview.funnel({})));
      const p95f = percentile(
        funnel.sort((a, b) => a - b),
        95,
      );
      line(
        "overview funnel, every partner, 30 days",
        `${p95f.toFixed(0)} ms`,
        "p95 < 100 ms",
        size >= 1_000_000 ? p95f < 100 : undefined,
      );
      allPassed &&= p95f < 100 || size < 1_000_000;
    }
    await rawPool.end();
  } finally {
    await database.close();
  }
  return allPassed;
}
