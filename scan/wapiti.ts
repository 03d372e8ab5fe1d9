import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Fixtures } from "./instance";
import type { Finding, Severity } from "./summary";

/**
 * wapiti crawls the pages (public ones and the back office, signed in as an
 * admin) and attacks every link and form it finds. Attack modules: injection
 * (sql, blindsql, exec, file, crlf), scripting (xss, permanentxss) and open
 * redirects; http_headers, csp and cookieflags grade the answers. Not run:
 * ssrf and xxe (they need wapiti's endpoint on the internet, and this machine
 * has none), nikto, buster and backup (brute force of file names for servers
 * that serve files from disk; this one serves only its routes), csrf (the
 * back office's writes are tRPC POSTs with a JSON body, which a cross-site
 * form cannot send; next-auth's own forms carry its CSRF token).
 */
const WAPITI_MODULES = [
  "sql",
  "blindsql",
  "exec",
  "file",
  "crlf",
  "xss",
  "permanentxss",
  "redirect",
  "http_headers",
  "csp",
  "cookieflags",
];

const WAPITI_LIMITS = {
  maxScanTimeS: 600,
  maxAttackTimeS: 120,
  depth: 4,
  maxLinksPerPage: 40,
  maxFilesPerDir: 25,
  requestTimeoutS: 20,
};

/**
 * Start pages: the crawl finds the rest from their links. The back office's
 * lists are drawn in the browser, so their rows' links are not in the HTML:
 * the pages of one client, partner and tier, and the lists with filters in
 * their query strings, are given here.
 */
function startPaths(f: Fixtures): string[] {
  return [
    "/",
    "/login?callbackUrl=%2Fclients",
    "/docs",
    `/confirm-email?token=scan`,
    "/overview",
    "/clients?q=scan&sort=email_asc&countryCode=LV",
    `/clients/${f.client.id}`,
    `/kyc/${f.client.id}`,
    "/partners",
    `/partners/${f.partnerId}`,
    `/tiers?partnerId=${f.partnerId}`,
    `/tiers/${f.tierId}`,
    "/staff",
    "/audit?action=client.created&entityType=client",
    "/billing",
    "/kyc",
    "/pending",
    "/outbox",
    "/register-client",
    "/account/security",
  ];
}

/**
 * Graded answers that are known and written down, and why they do not fail
 * the scan. Anything else the grading modules report fails it.
 */
const ACCEPTED: { category: string; match: RegExp; reason: string }[] = [
  {
    category: "HTTP Secure Headers",
    match: /X-XSS-Protection is not set/,
    reason:
      "wapiti 3.0.4 wants the legacy XSS auditor on (1); browsers have removed it and OWASP advises leaving the header unset, since the auditor itself leaked data",
  },
  {
    category: "Secure Flag cookie",
    match: /authjs\./,
    reason: "next-auth marks its cookies Secure over HTTPS; the scan runs over plain HTTP on the loopback",
  },
];

const ATTACK_SEVERITY: Record<string, Severity> = { "1": "low", "2": "medium", "3": "high", "4": "high" };

interface WapitiItem {
  method: string;
  path: string;
  info: string;
  level: number | string;
  parameter: string;
}

interface WapitiReport {
  vulnerabilities: Record<string, WapitiItem[]>;
  anomalies: Record<string, WapitiItem[]>;
}

const GRADING = new Set([
  "Content Security Policy Configuration",
  "HTTP Secure Headers",
  "HttpOnly Flag cookie",
  "Secure Flag cookie",
]);

export function parseWapitiReport(report: WapitiReport): Finding[] {
  const findings: Finding[] = [];
  for (const [category, items] of Object.entries(report.vulnerabilities ?? {})) {
    for (const item of items) {
      const where = `${item.method} ${item.path}${item.parameter ? ` (${item.parameter})` : ""}`;
      const accepted = ACCEPTED.find((a) => a.category === category && a.match.test(item.info));
      if (accepted)
        findings.push({
          tool: "wapiti",
          severity: "info",
          kind: category,
          where,
          detail: `${item.info} — accepted: ${accepted.reason}`,
        });
      else
        findings.push({
          tool: "wapiti",
          severity: GRADING.has(category) ? "medium" : (ATTACK_SEVERITY[String(item.level)] ?? "high"),
          kind: category,
          where,
          detail: item.info,
        });
    }
  }
  for (const [category, items] of Object.entries(report.anomalies ?? {})) {
    for (const item of items) {
      // A 500 on hostile input breaks the API's promise of JSON errors; a slow answer on a shared machine is noted only.
      const severity: Severity = category === "Internal Server Error" ? "high" : "info";
      findings.push({
        tool: "wapiti",
        severity,
        kind: category,
        where: `${item.method} ${item.path}${item.parameter ? ` (${item.parameter})` : ""}`,
        detail: item.info,
      });
    }
  }
  return findings;
}

/** `privateDir` gets the session cookie and wapiti's session database; `resultsDir` the report and the console output. */
export async function runWapiti(
  f: Fixtures,
  proxyUrl: string,
  resultsDir: string,
  privateDir: string,
): Promise<{ findings: Finding[]; seconds: number }> {
  const wdir = path.join(resultsDir, "wapiti");
  const pdir = path.join(privateDir, "wapiti");
  await mkdir(wdir, { recursive: true });
  await mkdir(pdir, { recursive: true });
  const host = new URL(f.base).hostname;
  // wapiti's cookie-jar format.
  const cookieFile = path.join(pdir, "cookies.json");
  await writeFile(
    cookieFile,
    JSON.stringify({
      [host]: {
        "/": {
          [f.staff.sessionCookie.name]: {
            value: f.staff.sessionCookie.value,
            expires: null,
            secure: false,
            port: null,
            version: 0,
          },
        },
      },
    }),
    { mode: 0o600 },
  );
  const reportPath = path.join(wdir, "report.json");
  const args = [
    "-u",
    `${f.base}/`,
    "--scope",
    "folder",
    ...startPaths(f).flatMap((p) => ["-s", f.base + p]),
    // No -x: Debian's wapiti 3.0.4 fails on any exclusion under Python 3.11 (its wildcard regex is invalid there). The proxy's guard keeps the session.
    "-m",
    WAPITI_MODULES.join(","),
    "-c",
    cookieFile,
    "-p",
    proxyUrl,
    "--flush-session",
    "--store-session",
    path.join(pdir, "session"),
    "--store-config",
    path.join(pdir, "config"),
    "--max-scan-time",
    String(WAPITI_LIMITS.maxScanTimeS),
    "--max-attack-time",
    String(WAPITI_LIMITS.maxAttackTimeS),
    "-d",
    String(WAPITI_LIMITS.depth),
    "--max-links-per-page",
    String(WAPITI_LIMITS.maxLinksPerPage),
    "--max-files-per-dir",
    String(WAPITI_LIMITS.maxFilesPerDir),
    "-t",
    String(WAPITI_LIMITS.requestTimeoutS),
    "-f",
    "json",
    "-o",
    reportPath,
    "-v",
    "1",
    "--no-bugreport",
  ];
  const log = createWriteStream(path.join(wdir, "wapiti.log"));
  const started = performance.now();
  const child = spawn("wapiti", args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const kill = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", kill);
  // wapiti stops itself at --max-scan-time; this is the backstop if it hangs while writing its report.
  const timer = setTimeout(kill, (WAPITI_LIMITS.maxScanTimeS + 180) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  process.off("exit", kill);
  const seconds = (performance.now() - started) / 1000;
  let report: WapitiReport;
  try {
    report = JSON.parse(await readFile(reportPath, "utf8")) as WapitiReport;
  } catch {
    return {
      seconds,
      findings: [
        {
          tool: "wapiti",
          severity: "error",
          kind: "Scan incomplete",
          where: f.base,
          detail: `wapiti exited with ${code} and wrote no report (see wapiti/wapiti.log)`,
        },
      ],
    };
  }
  return { seconds, findings: parseWapitiReport(report) };
}
