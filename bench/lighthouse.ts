/**
 * Lighthouse performance scores of the login page and every back-office list
 * page (LIST_PAGES), on the production build (`npm start`) with a database
 * holding at least `clients` clients (1,000,000 by default; it seeds the
 * difference through `gatehouse seed --clients`). The list pages are loaded
 * signed in as an admin, so they show every partner's rows; a page that
 * redirects (to /login, say) fails the run. Chromium is Debian's
 * (`CHROMIUM_PATH` overrides /usr/bin/chromium); nothing is downloaded.
 * `pages` narrows the run to some of them, to score again those that missed.
 *
 * Each page is scored `runs` times with Lighthouse's default (mobile, with
 * simulated slow 4G and a 4× slower CPU) and desktop settings; the median
 * score is the figure. A run whose trace Lighthouse could not record is run
 * again. Scores drop when other work shares the machine's cores, so before
 * each page's runs it waits (at most `loadWaitSeconds`) for the 1-minute load
 * average to fall below `maxLoad`, and prints the load average at the start
 * and end of the runs beside the figure, noting when it scored anyway. With
 * BENCH_LIGHTHOUSE_REPORTS=<folder> every run's full report (JSON) is kept
 * there for a closer look.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { line } from "./report";
import { lastJson, startBenchServer } from "./server";

export interface LighthouseOptions {
  clients: number;
  runs: number;
  port: number;
  /** The 1-minute load average below which a page's runs start. */
  maxLoad: number;
  /** How long to wait for it before scoring anyway. */
  loadWaitSeconds: number;
  /** Only these of PAGES (to score again the ones that missed); every one when absent. */
  pages?: string[];
  /** Only these settings (mobile, desktop); both when absent. */
  formFactors?: ("mobile" | "desktop")[];
}

const GOAL = 95;

/** The login page and every list page of the back office (app/(dashboard)/), each scored on its own. */
const LIST_PAGES = [
  "/clients",
  "/audit",
  "/outbox",
  "/pending",
  "/kyc",
  "/billing",
  "/partners",
  "/staff",
  "/tiers",
  "/imports",
];
export const PAGES = ["/login", ...LIST_PAGES];

const load = () => os.loadavg()[0]!;

/** Waits until the 1-minute load average is below `max`, or `seconds` have passed; says which. */
async function waitForQuiet(max: number, seconds: number): Promise<{ load: number; waitedS: number; quiet: boolean }> {
  const started = Date.now();
  while (load() >= max && Date.now() - started < seconds * 1000) await new Promise((r) => setTimeout(r, 5000));
  return { load: load(), waitedS: Math.round((Date.now() - started) / 1000), quiet: load() < max };
}

/** Signs in the way the login form does and returns the Cookie header of the session. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  keep(csrf);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie(), "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: "/" }),
  });
  keep(res);
  const session = (await (await fetch(`${base}/api/auth/session`, { headers: { cookie: cookie() } })).json()) as {
    user?: { email?: string };
  } | null;
  if (session?.user?.email !== email) throw new Error("signing the benchmark's admin in failed");
  return cookie();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export async function runLighthouseScenario(o: LighthouseOptions): Promise<boolean> {
  const pages = o.pages ?? PAGES;
  const server = await startBenchServer({
    port: o.port,
    env: { OUTBOX_WORKER: "off", BILLING_SCHEDULER: "off" },
    stdout: "ignore",
  });
  const { base, cli } = server;
  let chrome: { port: number; kill(): void } | undefined;
  try {
    // Clients already in the database count (a run of the clients scenario leaves a million).
    let present = 0;
    if (process.env.DATABASE_URL) {
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
      present = Number((await pool.query<{ n: string }>("select count(*) as n from clients")).rows[0]!.n);
      await pool.end();
    }
    if (present < o.clients) {
      const { partnerId } = lastJson<{ partnerId: number }>(
        cli([
          "partner",
          "create",
          "--name",
          `Bench Lighthouse ${randomUUID().slice(0, 6)}`,
          "--quota-ip",
          "0",
          "--quota-total",
          "0",
          "--json",
        ]),
      );
      process.stdout.write(`seeding ${(o.clients - present).toLocaleString("en")} clients for the Lighthouse run\n`);
      cli(["seed", "--clients", String(o.clients - present), "--partner", String(partnerId)]);
    }
    const email = `bench-lh-${randomUUID().slice(0, 8)}@bench.test`;
    const password = `bench-only-${randomUUID()}`;
    cli(["staff", "create", "--email", email, "--role", "admin", "--name", "Bench admin", "--password", password]);
    // After minutes of seeding, the first request may go out on a kept-alive socket the server has just closed.
    const cookie = await signIn(base, email, password).catch(() => signIn(base, email, password));

    const { default: lighthouse } = await import("lighthouse");
    const { default: desktopConfig } = await import("lighthouse/core/config/desktop-config.js");
    const chromeLauncher = await import("chrome-launcher");
    chrome = await chromeLauncher.launch({
      chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      chromeFlags: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
      ],
    });
    // Warm the server's caches (first render of each route, pools) before scoring.
    for (const p of pages) await fetch(`${base}${p}`, { headers: p === "/login" ? {} : { cookie } });

    process.stdout.write(
      `\nLighthouse performance, median of ${o.runs} runs, ${Math.max(present, o.clients).toLocaleString("en")}+ clients` +
        ` (each page's runs wait up to ${o.loadWaitSeconds} s for a 1-minute load average below ${o.maxLoad};` +
        ` ${os.availableParallelism()} cores):\n`,
    );
    let passed = true;
    for (const formFactor of o.formFactors ?? (["mobile", "desktop"] as const)) {
      for (const page of pages) {
        const quiet = await waitForQuiet(o.maxLoad, o.loadWaitSeconds);
        const scores: number[] = [];
        const metrics: Record<string, number[]> = { FCP: [], LCP: [], TBT: [], CLS: [], TTFB: [] };
        let failedRuns = 0;
        for (let i = 0; i < o.runs; i++) {
          const result = await lighthouse(
            `${base}${page}`,
            {
              port: chrome.port,
              output: "json",
              logLevel: "error",
              onlyCategories: ["performance"],
              extraHeaders: page === "/login" ? undefined : { Cookie: cookie },
            },
            formFactor === "desktop" ? desktopConfig : undefined,
          );
          // A run whose trace Lighthouse could not record (it says so) scores 0: run it again, up to 3 times per page.
          if (result?.lhr.runtimeError) {
            process.stdout.write(
              `  (a ${formFactor} run of ${page} failed: ${result.lhr.runtimeError.code}; running it again)\n`,
            );
            if (++failedRuns > 3)
              throw new Error(`Lighthouse could not score ${page}: ${result.lhr.runtimeError.message}`);
            i--;
            continue;
          }
          const lhr = result!.lhr;
          if (process.env.BENCH_LIGHTHOUSE_REPORTS) {
            mkdirSync(process.env.BENCH_LIGHTHOUSE_REPORTS, { recursive: true });
            writeFileSync(
              path.join(process.env.BENCH_LIGHTHOUSE_REPORTS, `${page.slice(1)}-${formFactor}-${i + 1}.json`),
              JSON.stringify(lhr),
            );
          }
          if (lhr.finalDisplayedUrl && new URL(lhr.finalDisplayedUrl).pathname !== page)
            throw new Error(`${page} redirected to ${lhr.finalDisplayedUrl}`);
          scores.push(Math.round((lhr.categories.performance?.score ?? 0) * 100));
          metrics.FCP!.push(lhr.audits["first-contentful-paint"]?.numericValue ?? NaN);
          metrics.LCP!.push(lhr.audits["largest-contentful-paint"]?.numericValue ?? NaN);
          metrics.TBT!.push(lhr.audits["total-blocking-time"]?.numericValue ?? NaN);
          metrics.CLS!.push(lhr.audits["cumulative-layout-shift"]?.numericValue ?? NaN);
          metrics.TTFB!.push(lhr.audits["server-response-time"]?.numericValue ?? NaN);
        }
        const score = median(scores);
        const ok = score >= GOAL;
        passed &&= ok;
        const loadNote = quiet.quiet
          ? `load ${quiet.load.toFixed(2)} → ${load().toFixed(2)}${quiet.waitedS > 0 ? ` (waited ${quiet.waitedS} s)` : ""}`
          : `load ${quiet.load.toFixed(2)} → ${load().toFixed(2)} (above ${o.maxLoad} after ${quiet.waitedS} s: scored anyway)`;
        line(`lighthouse ${page} (${formFactor})`, `${score} [${scores.join(", ")}]`, `>= ${GOAL}; ${loadNote}`, ok);
        line(
          `  FCP / LCP / TBT / CLS / server`,
          `${(median(metrics.FCP!) / 1000).toFixed(2)} / ${(median(metrics.LCP!) / 1000).toFixed(2)} s / ${median(metrics.TBT!).toFixed(0)} ms / ${median(metrics.CLS!).toFixed(3)} / ${median(metrics.TTFB!).toFixed(0)} ms`,
          "reference",
        );
      }
    }
    return passed;
  } finally {
    chrome?.kill();
    await server.stop();
  }
}
