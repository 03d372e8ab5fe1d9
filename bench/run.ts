/**
 * `npm run bench [-- --scenario frontend|api|clients|lighthouse|all] [--build]
 *   [--sizes 10000,100000,1000000] [--iterations 100] [--seconds 15] [--concurrency 8] [--port 3200] [--runs 3]
 *   [--profile] [--node-args "…"] [--max-load 1.5] [--load-wait 180] [--pages /login,/clients]
 *   [--form-factors mobile,desktop]`
 *
 * frontend: first-load JavaScript per page of the production build (--build rebuilds it first);
 * api: registration throughput against the raw hash rate, cheap endpoints' p99 under that load, and the
 *   CPU time of one registration per process (its server listens on --port);
 *   --profile also records a CPU profile of the server and prints the top 15 functions by self time
 *   during the registrations and the time per library (Next.js/React, drizzle/pg, jose, zod, nodemailer, ours);
 *   --node-args "…" starts the server with those Node options (to try a runtime setting);
 * clients: the back office at 10k/100k/1M clients (list, export, funnel, seeding), in this process
 *   (no server, --port unused); at each size, right after `gatehouse seed` has loaded it, one partner's
 *   list with one filter (blocked, country, identified, q=a) has p95 < 100 ms;
 * lighthouse: Lighthouse performance scores of the login page and every back-office list page,
 *   mobile and desktop, median of --runs, with the largest size's clients in the database (run it
 *   after clients to reuse them); its server listens on --port + 1, and each page's runs wait up to
 *   --load-wait seconds for the 1-minute load average to fall below --max-load; --pages scores only those,
 *   --form-factors mobile (or desktop) only that setting;
 * bulk: one filter-wide bulk action blocking --bulk-clients clients of one partner (default 100000), < 2 min;
 * import: `gatehouse clients import` of CSV files of --import-sizes rows (default 10000,100000): dry-run time,
 *   rows/s of the import and of the whole command, peak RSS of the importing process.
 *
 * Runs on PostgreSQL when DATABASE_URL is set (use an empty database: the
 * benchmark seeds its own data), otherwise on a fresh embedded database.
 * Prints one line per figure with its goal; exits 1 when a goal is missed.
 */
import os from "node:os";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "all" },
    sizes: { type: "string", default: "10000,100000,1000000" },
    iterations: { type: "string", default: "100" },
    seconds: { type: "string", default: "15" },
    concurrency: { type: "string", default: "8" },
    port: { type: "string", default: "3200" },
    runs: { type: "string", default: "3" },
    "max-load": { type: "string", default: "1.5" },
    "load-wait": { type: "string", default: "180" },
    pages: { type: "string" },
    "form-factors": { type: "string", default: "mobile,desktop" },
    build: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "node-args": { type: "string", default: "" },
    "bulk-clients": { type: "string", default: "100000" },
    "import-sizes": { type: "string", default: "10000,100000" },
  },
});

const SCENARIOS = ["frontend", "api", "clients", "lighthouse", "bulk", "import"];
const scenarios = values.scenario === "all" ? SCENARIOS : values.scenario.split(",");
const unknown = scenarios.filter((s) => !SCENARIOS.includes(s));
if (unknown.length > 0) {
  process.stderr.write(`unknown scenario ${unknown.join(", ")}: use ${SCENARIOS.join(", ")} or all\n`);
  process.exit(2);
}
const sizes = values.sizes.split(",").map((s) => Number(s.replace(/_/g, "")));
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  process.stderr.write("--sizes takes whole numbers separated by commas, such as 10000,100000,1000000\n");
  process.exit(2);
}
if (!(Number(values["max-load"]) > 0) || !(Number(values["load-wait"]) >= 0)) {
  process.stderr.write("--max-load takes a load average above 0, such as 1.5, and --load-wait a number of seconds\n");
  process.exit(2);
}

process.stdout.write(
  `machine: ${os.cpus()[0]?.model ?? "cpu"} × ${os.availableParallelism()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`,
);
let passed = true;
if (scenarios.includes("frontend")) {
  const { runFrontendScenario } = await import("./frontend");
  passed = (await runFrontendScenario({ build: values.build === true })) && passed;
}
if (scenarios.includes("api")) {
  const { runApiScenario } = await import("./api");
  passed =
    (await runApiScenario({
      seconds: Number(values.seconds),
      concurrency: Number(values.concurrency),
      port: Number(values.port),
      profile: values.profile === true,
      nodeArgs: values["node-args"].split(" ").filter(Boolean),
    })) && passed;
}
if (scenarios.includes("clients")) {
  const { runClientsScenario } = await import("./clients");
  passed =
    (await runClientsScenario({ sizes: [...sizes].sort((a, b) => a - b), iterations: Number(values.iterations) })) &&
    passed;
}
if (scenarios.includes("lighthouse")) {
  const { PAGES, runLighthouseScenario } = await import("./lighthouse");
  const pages = values.pages?.split(",");
  const unknownPages = pages?.filter((p) => !PAGES.includes(p)) ?? [];
  if (unknownPages.length > 0) {
    process.stderr.write(`--pages takes some of ${PAGES.join(",")}; not ${unknownPages.join(", ")}\n`);
    process.exit(2);
  }
  const formFactors = values["form-factors"].split(",");
  if (formFactors.some((f) => f !== "mobile" && f !== "desktop")) {
    process.stderr.write("--form-factors takes mobile, desktop or both, separated by a comma\n");
    process.exit(2);
  }
  passed =
    (await runLighthouseScenario({
      clients: Math.max(...sizes),
      runs: Number(values.runs),
      port: Number(values.port) + 1,
      maxLoad: Number(values["max-load"]),
      loadWaitSeconds: Number(values["load-wait"]),
      pages,
      formFactors: formFactors as ("mobile" | "desktop")[],
    })) && passed;
}
if (scenarios.includes("bulk")) {
  const { runBulkScenario } = await import("./bulk");
  passed = (await runBulkScenario({ clients: Number(values["bulk-clients"].replace(/_/g, "")) })) && passed;
}
if (scenarios.includes("import")) {
  const { runImportScenario } = await import("./import");
  const importSizes = values["import-sizes"].split(",").map((s) => Number(s.replace(/_/g, "")));
  if (importSizes.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000)) {
    process.stderr.write("--import-sizes takes whole numbers up to 100000 separated by commas, such as 10000,100000\n");
    process.exit(2);
  }
  passed = (await runImportScenario({ sizes: [...importSizes].sort((a, b) => a - b) })) && passed;
}
process.exitCode = passed ? 0 : 1;
