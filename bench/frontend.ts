/**
 * First-load JavaScript per page, from the production build's manifests:
 * the runtime every page loads plus the chunks of the page and its layouts,
 * gzipped as a browser would receive them. Polyfills for browsers without
 * modules are left out: modern browsers never load them.
 *
 * Both bundlers' builds are read. Turbopack lists a segment's chunks in the
 * client reference manifest's `entryJSFiles`. Webpack (`next build --webpack`)
 * has no such list: the browser loads the chunks of each client component
 * the page renders, which the manifest's `clientModules` give, and a
 * segment's components are those whose chunks include that segment's entry
 * chunk (`static/chunks/app/<segment>-<hash>.js`).
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
  };
  const appPaths = JSON.parse(readFileSync(path.join(next, "server", "app-paths-manifest.json"), "utf8")) as Record<
    string,
    string
  >;
  const pages = Object.keys(appPaths).filter((p) => p.startsWith("/(dashboard)/") || p === "/login/page");
  const cache = new Map<string, number>();
  let passed = true;
  let bundler: string | undefined;
  for (const page of pages.sort()) {
    const manifestFile = path.join(next, "server", "app", `${page}_client-reference-manifest.js`);
    const holder: { __RSC_MANIFEST?: Record<string, ClientReferenceManifest> } = {};
    // The manifest is a script that assigns to globalThis.__RSC_MANIFEST.
    runInNewContext(readFileSync(manifestFile, "utf8"), { globalThis: holder, self: holder });
    const entry = holder.__RSC_MANIFEST?.[page];
    if (!entry) throw new Error(`no client reference manifest for ${page}`);
    if (!bundler) {
      bundler = entry.entryJSFiles ? "Turbopack" : "webpack";
      process.stdout.write(`\nfirst-load JavaScript per page (gzip, ${bundler} build):\n`);
    }
    const own = entry.entryJSFiles ? Object.values(entry.entryJSFiles).flat() : webpackPageChunks(page, entry);
    const files = new Set([...buildManifest.rootMainFiles, ...own]);
    const kb = [...files].reduce((sum, f) => sum + gzipKb(f, cache), 0);
    const limit = page === "/login/page" ? LIMITS.login : LIMITS.dashboard;
    const ok = kb <= limit;
    passed &&= ok;
    const route = page.replace(/\/\([^)]+\)/g, "").replace(/\/page$/, "") || "/";
    line(`  ${route}`, `${kb.toFixed(1)} kB`, `<= ${limit} kB`, ok);
  }
  return passed;
}

interface ClientReferenceManifest {
  /** Turbopack only: the chunks of each layout and page segment. */
  entryJSFiles?: Record<string, string[]>;
  /** Every client component the manifest knows; `chunks` alternates webpack chunk ids and files. */
  clientModules: Record<string, { chunks: Array<string | number> }>;
}

/** The chunks of the client components a page's segments (layouts and the page itself) render, in a webpack build. */
function webpackPageChunks(page: string, manifest: ClientReferenceManifest): string[] {
  // "/(dashboard)/audit/page" → the layouts at "", "/(dashboard)", "/(dashboard)/audit", and the page.
  const folders = page.split("/").slice(1, -1);
  const segments = folders.map((_, i) => `/${folders.slice(0, i).join("/")}`.replace(/\/$/, "") + "/layout");
  segments.push(page);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const entryChunk = new RegExp(`^static/chunks/app(${segments.map(escape).join("|")})-[0-9a-f]+\\.js$`);
  const files = new Set<string>();
  for (const { chunks } of Object.values(manifest.clientModules)) {
    // Files are listed as URLs: "[id]" arrives as "%5Bid%5D".
    const chunkFiles = chunks
      .filter((c): c is string => typeof c === "string" && c.startsWith("static/"))
      .map((c) => decodeURIComponent(c));
    if (chunkFiles.some((f) => entryChunk.test(f))) for (const f of chunkFiles) files.add(f);
  }
  return [...files];
}
