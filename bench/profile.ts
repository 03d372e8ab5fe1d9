/**
 * Reads the CPU profiles (`node --cpu-prof`) the bench server's processes
 * wrote and summarises the Next.js server process's: self time per function
 * over the last `windowMs` before it stopped (the measured phase), the top
 * functions and the total per library group.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const GROUPS = [
  "Next.js/React",
  "drizzle/pg",
  "jose",
  "zod",
  "nodemailer",
  "pino/prom-client",
  "our code",
  "Node.js",
  "garbage collector",
  "other",
] as const;
type Group = (typeof GROUPS)[number];

/** The library a frame belongs to, from its script's path (the server's own bundles name their modules in comments only, so their frames are grouped by the function's source file where Turbopack kept it). */
function groupOf(url: string, functionName: string): Group {
  if (functionName === "(garbage collector)") return "garbage collector";
  if (url === "" || url.startsWith("node:")) return "Node.js";
  const u = url.replace(/\\/g, "/");
  if (
    /node_modules\/(next|react|react-dom|scheduler|@next)\//.test(u) ||
    /\/\.next\/server\/(chunks\/)?(ssr\/)?\[?(turbopack|root-of-the-server|externals)/.test(u)
  )
    return "Next.js/React";
  // drizzle-orm's own source maps point at its TypeScript sources, which Turbopack's maps then name
  // node_modules/src/… without the package (checked against the build: every such path is drizzle's, bar
  // Next.js's navigation API).
  if (/node_modules\/src\/api\//.test(u)) return "Next.js/React";
  if (/node_modules\/src\//.test(u)) return "drizzle/pg";
  if (/node_modules\/(drizzle-orm|pg|pg-protocol|pg-pool|pg-types|pgpass|postgres-[a-z]+|@electric-sql)\//.test(u))
    return "drizzle/pg";
  if (/node_modules\/jose\//.test(u)) return "jose";
  if (/node_modules\/zod\//.test(u)) return "zod";
  if (/node_modules\/nodemailer\//.test(u)) return "nodemailer";
  if (/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|prom-client|fast-redact|@pinojs)\//.test(u))
    return "pino/prom-client";
  if (/node_modules\//.test(u)) return "other";
  if (/(^|\/)(server|app|db|scripts)\/|(^|\/)(env|proxy|auth|instrumentation)\.ts/.test(u)) return "our code";
  return "other";
}

const sourceMaps = new Map<string, SourceMap | null>();

/** The original file and line of a frame in a bundle with a source map beside it; the frame's own otherwise. */
function originalOf(frame: ProfileNode["callFrame"]): { url: string; line: number } {
  const file = frame.url.replace(/^file:\/\//, "");
  if (!file.includes("/.next/")) return { url: file, line: frame.lineNumber + 1 };
  let map = sourceMaps.get(file);
  if (map === undefined) {
    try {
      map = existsSync(`${file}.map`)
        ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")) as SourceMapPayload)
        : null;
    } catch {
      map = null;
    }
    sourceMaps.set(file, map);
  }
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (!entry || !("originalSource" in entry)) return { url: file, line: frame.lineNumber + 1 };
  return { url: entry.originalSource, line: entry.originalLine + 1 };
}

export interface ProfileSummary {
  file: string;
  windowMs: number;
  busyMs: number;
  top: { name: string; where: string; group: Group; ms: number }[];
  groups: Record<Group, number>;
}

/** Self time per node (ms) for the samples taken in the last `windowMs` of the profile. */
function selfTimes(profile: CpuProfile, windowMs: number): Map<number, number> {
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const from = profile.endTime - windowMs * 1000;
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    if (times[i]! < from) continue;
    // A sample's time runs until the next one.
    const next = i + 1 < times.length ? times[i + 1]! : profile.endTime;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (next - times[i]!) / 1000);
  }
  return self;
}

function shortUrl(url: string): string {
  const u = url
    .replace(/^(file|turbopack):\/\/(\[project\])?/, "")
    .replace(/\\/g, "/")
    .replace(/^(\.\.\/)+/, "");
  const nm = u.lastIndexOf("node_modules/");
  if (nm >= 0) return u.slice(nm + "node_modules/".length);
  const next = u.indexOf("/.next/");
  if (next >= 0) return u.slice(next + 1);
  return path.basename(u) || "(native)";
}

function summariseProfile(file: string, windowMs: number, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = selfTimes(profile, windowMs);
  const groups = Object.fromEntries(GROUPS.map((g) => [g, 0])) as Record<Group, number>;
  const perFunction = new Map<string, { name: string; where: string; group: Group; ms: number }>();
  let busyMs = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === "(idle)" || frame.functionName === "(program)" || frame.functionName === "(root)")
      continue;
    busyMs += ms;
    const original = originalOf(frame);
    const group = groupOf(original.url, frame.functionName);
    groups[group] += ms;
    const name = frame.functionName || "(anonymous)";
    const where = original.url ? `${shortUrl(original.url)}:${original.line}` : "(native)";
    const key = `${name}@${where}`;
    const entry = perFunction.get(key) ?? { name, where, group, ms: 0 };
    entry.ms += ms;
    perFunction.set(key, entry);
  }
  const top = [...perFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, topN);
  return { file, windowMs, busyMs, top, groups };
}

/**
 * Every process's profile in `dir`, the Next.js server process's first: the
 * one whose window spends the most time in Next.js's own code. (On the
 * embedded database, the launcher process running PGlite is another.)
 */
export function readProfiles(dir: string, windowMs: number): ProfileSummary[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => summariseProfile(path.join(dir, f), windowMs))
    .sort((a, b) => b.groups["Next.js/React"] - a.groups["Next.js/React"]);
}

export function printProfile(profiles: ProfileSummary[], requests: number) {
  const per = (ms: number) => (requests > 0 ? (ms / requests).toFixed(2) : "–");
  const summary = profiles[0];
  if (!summary) {
    process.stdout.write("\nno CPU profile was written by the server\n");
    return;
  }
  process.stdout.write(`\nmain-thread CPU per process in the window (ms, ms per registration):\n`);
  for (const p of profiles)
    process.stdout.write(
      `  ${path.basename(p.file)}: ${p.busyMs.toFixed(0)} ms, ${per(p.busyMs)}${p === summary ? "  (Next.js server)" : ""}\n`,
    );
  process.stdout.write(
    `\nCPU profile of the server process (${path.basename(summary.file)}), last ${(summary.windowMs / 1000).toFixed(1)} s: ` +
      `${summary.busyMs.toFixed(0)} ms on the main thread, ${per(summary.busyMs)} ms per registration\n`,
  );
  process.stdout.write(`\n| # | function | where | group | self ms | per registration |\n|---|---|---|---|---|---|\n`);
  summary.top.forEach((f, i) =>
    process.stdout.write(
      `| ${i + 1} | \`${f.name.replace(/\|/g, "\\|")}\` | ${f.where.replace(/\|/g, "\\|")} | ${f.group} | ${f.ms.toFixed(0)} | ${per(f.ms)} |\n`,
    ),
  );
  process.stdout.write(`\n| group | self ms | per registration | share |\n|---|---|---|---|\n`);
  for (const g of GROUPS) {
    const ms = summary.groups[g];
    if (ms <= 0) continue;
    process.stdout.write(`| ${g} | ${ms.toFixed(0)} | ${per(ms)} | ${((100 * ms) / summary.busyMs).toFixed(1)}% |\n`);
  }
}
