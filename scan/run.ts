/**
 * `npm run scan [-- --only sqlmap|wapiti] [--target TEXT] [--port 3401] [--keep-data]`
 *
 * Starts the production build (built first if there is none) on a fresh
 * embedded data folder, seeds a partner, a client with a subscription and a
 * signed-in admin, then runs Debian's sqlmap against every public endpoint and
 * a set of back-office tRPC procedures, and wapiti against the pages. All
 * traffic goes through a counting proxy that only reaches this instance.
 * Writes .data/scan/<time>/summary.json and summary.txt, prints the summary,
 * and exits 1 on any finding that is not informational (2 on bad usage).
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureBuild, startInstance } from "./instance";
import { signOutGuard, startCountingProxy } from "./proxy";
import { runSqlmap } from "./sqlmap";
import { formatSummary, phaseOf, serverErrorFindings, summarize, type Finding, type PhaseSummary } from "./summary";
import { backOfficeTargets, publicApiTargets } from "./targets";
import { runWapiti } from "./wapiti";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    target: { type: "string" },
    port: { type: "string", default: "3401" },
    "keep-data": { type: "boolean", default: false },
  },
});
if (values.only && values.only !== "sqlmap" && values.only !== "wapiti") {
  process.stderr.write("--only takes sqlmap or wapiti\n");
  process.exit(2);
}
for (const tool of ["sqlmap", "wapiti"]) {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  } catch {
    process.stderr.write(`${tool} is not installed: apt-get install -y sqlmap wapiti\n`);
    process.exit(2);
  }
}

const root = path.resolve(import.meta.dirname, "..");
const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, "-");
const resultsDir = path.join(root, ".data", "scan", stamp);
const dataDir = path.join(root, ".data", `scan-${stamp}`);
await mkdir(resultsDir, { recursive: true });
await mkdir(dataDir, { recursive: true });
const say = (line: string) => process.stdout.write(`${line}\n`);

// Exiting runs the exit hooks that kill the server and the scanners, even while the instance is still starting.
let stopInstance: () => Promise<void> = async () => undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stopInstance().finally(() => process.exit(130));
  });
}
ensureBuild();
say(`Starting the instance on port ${values.port} (data in ${path.relative(root, dataDir)})`);
const instance = await startInstance({ port: Number(values.port), dataDir, logFile: path.join(dataDir, "server.log") });
stopInstance = () => instance.stop();
const f = instance.fixtures;
const proxy = await startCountingProxy(new URL(f.base), signOutGuard(f.staff.signOutActions));
say(`Seeded partner ${f.partnerId}, a client with a subscription, and admin ${f.staff.email}; proxy at ${proxy.url}`);

const findings: Finding[] = [];
const phases: PhaseSummary[] = [];
let skipped: { name: string; reason: string }[] = [];
try {
  if (values.only !== "wapiti") {
    const publicApi = publicApiTargets(f);
    skipped = publicApi.skipped;
    const targets = [...publicApi.targets, ...backOfficeTargets(f)].filter(
      (t) => !values.target || t.name.includes(values.target),
    );
    proxy.phase("sqlmap");
    const phaseStart = performance.now();
    for (const [i, target] of targets.entries()) {
      const before = proxy.tally("sqlmap").requests;
      // sqlmap's own files (its session, and the command line with this run's credentials) stay in the throwaway data folder.
      const outcome = await runSqlmap(
        target,
        proxy.url,
        path.join(dataDir, "sqlmap"),
        path.join(resultsDir, "sqlmap"),
        `${String(i + 1).padStart(2, "0")}-${target.name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 80)}`,
      );
      findings.push(...outcome.findings);
      say(
        `  sqlmap ${String(i + 1).padStart(2)}/${targets.length} ${outcome.status.padEnd(10)} ${outcome.seconds.toFixed(0).padStart(4)} s ${String(proxy.tally("sqlmap").requests - before).padStart(5)} requests  ${target.name}`,
      );
    }
    phases.push(phaseOf("sqlmap", targets.length, (performance.now() - phaseStart) / 1000, proxy.tally("sqlmap")));
    findings.push(...serverErrorFindings("sqlmap", proxy.tally("sqlmap").serverErrors));
  }
  if (values.only !== "sqlmap") {
    say("  wapiti: crawling and attacking the pages");
    proxy.phase("wapiti");
    const outcome = await runWapiti(f, proxy.url, resultsDir, dataDir);
    phases.push(phaseOf("wapiti", 1, outcome.seconds, proxy.tally("wapiti")));
    findings.push(...outcome.findings, ...serverErrorFindings("wapiti", proxy.tally("wapiti").serverErrors));
  }
} finally {
  await proxy.close();
  await instance.stop();
}

const summary = summarize({
  startedAt: started.toISOString(),
  seconds: (Date.now() - started.getTime()) / 1000,
  base: f.base,
  phases,
  skipped,
  findings,
});
const text = formatSummary(summary);
await writeFile(path.join(resultsDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
await writeFile(path.join(resultsDir, "summary.txt"), `${text}\n`);
say(`\n${text}\nResults in ${path.relative(root, resultsDir)}`);
// The data folder holds this run's throwaway credentials; it is kept only to look into a failure.
if (summary.passed && !values["keep-data"]) rmSync(dataDir, { recursive: true, force: true });
else say(`Instance data kept in ${path.relative(root, dataDir)}`);
process.exitCode = summary.passed ? 0 : 1;
