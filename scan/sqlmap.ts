import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Finding } from "./summary";
import type { SqlmapTarget } from "./targets";

/**
 * sqlmap's bounds: level 1 and risk 1 (no OR-based or heavy queries that
 * could rewrite rows wholesale), PostgreSQL payloads only (the database is
 * known), two threads, a 3-second time-based delay and a hard time limit per
 * target. Everything goes through the counting proxy.
 */
const SQLMAP_LIMITS = { level: 1, risk: 1, threads: 2, timeSec: 3, requestTimeoutS: 20, targetTimeoutS: 300 };

export interface SqlmapOutcome {
  target: string;
  status: "clean" | "vulnerable" | "incomplete";
  findings: Finding[];
  seconds: number;
}

export function sqlmapArgs(target: SqlmapTarget, proxyUrl: string, outputDir: string): string[] {
  const args = [
    "-u",
    target.url,
    `--method=${target.method}`,
    ...(target.data !== undefined ? [`--data=${target.data}`] : []),
    ...Object.entries(target.headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    "--batch",
    "--dbms=PostgreSQL",
    `--level=${SQLMAP_LIMITS.level}`,
    `--risk=${SQLMAP_LIMITS.risk}`,
    `--threads=${SQLMAP_LIMITS.threads}`,
    `--time-sec=${SQLMAP_LIMITS.timeSec}`,
    `--timeout=${SQLMAP_LIMITS.requestTimeoutS}`,
    "--retries=1",
    // Refusals are the API's normal answers to garbage; sqlmap must keep going through them.
    "--ignore-code=400,401,403,404,409,422,429",
    "--skip-waf",
    `--proxy=${proxyUrl}`,
    `--output-dir=${outputDir}`,
    "--flush-session",
    "--disable-coloring",
    ...(target.spreadIps ? ["--tamper=xforwardedfor"] : []),
    ...(target.testParameters ? [`-p`, target.testParameters.join(",")] : []),
  ];
  return args;
}

/** Reads sqlmap's console output: what it found, and whether it finished. */
export function parseSqlmapOutput(target: string, output: string): Omit<SqlmapOutcome, "seconds"> {
  const findings: Finding[] = [];
  const injectionBlock = output.match(
    /sqlmap identified the following injection point\(s\)[\s\S]*?\n---\n([\s\S]*?)\n---/,
  );
  if (injectionBlock) {
    for (const m of injectionBlock[1]!.matchAll(/Parameter: (.+?)\n([\s\S]*?)(?=\nParameter: |$)/g)) {
      const types = [...m[2]!.matchAll(/Type: (.+)/g)].map((t) => t[1]!.trim());
      findings.push({
        tool: "sqlmap",
        severity: "high",
        kind: "SQL injection",
        where: `${target}: ${m[1]!.trim()}`,
        detail: types.join("; "),
      });
    }
  }
  for (const m of output.matchAll(/parameter '(.+?)' is vulnerable/g)) {
    const where = `${target}: ${m[1]}`;
    if (!findings.some((f) => f.where.startsWith(where)))
      findings.push({ tool: "sqlmap", severity: "high", kind: "SQL injection", where, detail: "reported vulnerable" });
  }
  for (const m of output.matchAll(
    /heuristic \(XSS\) test shows that (.+?) parameter '(.+?)' might be vulnerable to cross-site scripting/g,
  )) {
    findings.push({
      tool: "sqlmap",
      severity: "info",
      kind: "Reflected input (sqlmap's XSS heuristic)",
      where: `${target}: ${m[1]} ${m[2]}`,
      detail: "the value is echoed back; informational for JSON answers, which browsers do not render",
    });
  }
  if (findings.some((f) => f.severity !== "info")) return { target, status: "vulnerable", findings };
  if (/all tested parameters do not appear to be injectable/.test(output)) return { target, status: "clean", findings };
  const critical = [...output.matchAll(/\[(?:CRITICAL|ERROR)\] (.+)/g)].map((m) => m[1]!.trim());
  findings.push({
    tool: "sqlmap",
    severity: "error",
    kind: "Scan incomplete",
    where: target,
    detail: critical[0] ?? "sqlmap stopped without a verdict",
  });
  return { target, status: "incomplete", findings };
}

/** `privateDir` gets sqlmap's own files (its command line holds credentials); `logDir` the console output, which does not. */
export async function runSqlmap(
  target: SqlmapTarget,
  proxyUrl: string,
  privateDir: string,
  logDir: string,
  slug: string,
): Promise<SqlmapOutcome> {
  await mkdir(privateDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  const logPath = path.join(logDir, `${slug}.log`);
  const log = createWriteStream(logPath);
  const started = performance.now();
  const child = spawn("sqlmap", sqlmapArgs(target, proxyUrl, privateDir), {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      log.write(chunk);
    });
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, SQLMAP_LIMITS.targetTimeoutS * 1000);
  const killOnExit = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", killOnExit);
  await new Promise((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  process.off("exit", killOnExit);
  log.end();
  const seconds = (performance.now() - started) / 1000;
  if (timedOut) {
    return {
      target: target.name,
      status: "incomplete",
      seconds,
      findings: [
        {
          tool: "sqlmap",
          severity: "error",
          kind: "Scan incomplete",
          where: target.name,
          detail: `stopped after ${SQLMAP_LIMITS.targetTimeoutS} s`,
        },
      ],
    };
  }
  return { ...parseSqlmapOutput(target.name, output), seconds };
}
