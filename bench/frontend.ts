/**
 * First-load JavaScript per page, from the production build's manifests:
 * the runtime every page loads plus the chunks of the page and its layouts
 * (the client reference manifest's entryJSFiles), gzipped as a browser would
 * receive them. Polyfills for browsers without modules are left out: modern
 * browsers never load them.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { line } from "./report";

const root = path.resolve(import.meta.dirname, "..");
const next = path.join(root, ".next");

const LIMITS = { dashboard: 170, login: 130 };

function gzipKb(file: string, cache: Map<string, number>): number {
  let size = cache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(path.join(next, file)), { level: 9 }).length / 1000;
    cache.set(file, size);
  }
  return size;
}

export async function runFrontendScenario(o: { build: boolean }): Promise<boolean> {
  if (o.build || !existsSync(path.join(next, "BUILD_ID"))) {
    process.stdout.write("Building the app (npm run build)\n");
    execFileSync("npm", ["run", "build"], {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
  }
  const buildManifest = JSON.parse(readFileSync(path.join(next, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
    pagesChunkGroupBootstrapParams: Record<string, unknown>;
  };
  const pages = Object.keys(buildManifest.pagesChunkGroupBootstrapParams).filter(
    (p) => p.startsWith("/(dashboard)/") || p === "/login/page",
  );
  const cache = new Map<string, number>();
  let passed = true;
  process.stdout.write("\nfirst-load JavaScript per page (gzip):\n");
  for (const page of pages.sort()) {
    const manifestFile = path.join(next, "server", "app", `${page}_client-reference-manifest.js`);
    const holder: { __RSC_MANIFEST?: Record<string, { entryJSFiles: Record<string, string[]> }> } = {};
    // The manifest is a script that assigns to globalThis.__RSC_MANIFEST.
    runInNewContext(readFileSync(manifestFile, "utf8"), { globalThis: holder, self: holder });
    const entry = holder.__RSC_MANIFEST?.[page];
    if (!entry) throw new Error(`no client reference manifest for ${page}`);
    const files = new Set([...buildManifest.rootMainFiles, ...Object.values(entry.entryJSFiles).flat()]);
    const kb = [...files].reduce((sum, f) => sum + gzipKb(f, cache), 0);
    const limit = page === "/login/page" ? LIMITS.login : LIMITS.dashboard;
    const ok = kb <= limit;
    passed &&= ok;
    const route = page.replace(/\/\([^)]+\)/g, "").replace(/\/page$/, "") || "/";
    line(`  ${route}`, `${kb.toFixed(1)} kB`, `<= ${limit} kB`, ok);
  }
  return passed;
}
