import { readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { config } from "../../env";
import { resolveClientAddress, withClientAddress } from "../../server/http/client-address";

/**
 * Serves the app's real route handlers (app/**\/route.ts) over real HTTP
 * without a Next.js build, so integration tests exercise the same code the
 * deployed server runs: parsing, validation, services, the database.
 */
type RouteModule = Record<
  string,
  ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) | undefined
>;

interface RouteEntry {
  pattern: RegExp;
  names: string[];
  catchAll: boolean;
  file: string;
  module?: RouteModule;
}

const appDir = path.resolve(import.meta.dirname, "../../app");

function discover(dir: string, segments: string[] = []): RouteEntry[] {
  const entries: RouteEntry[] = [];
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    if (item.isDirectory()) entries.push(...discover(path.join(dir, item.name), [...segments, item.name]));
    else if (item.name === "route.ts") {
      const names: string[] = [];
      let catchAll = false;
      const visible = segments.filter((s) => !/^\(.*\)$/.test(s));
      const source = visible
        .map((s) => {
          const dynamic = /^\[(\.\.\.)?(.+)\]$/.exec(s);
          if (!dynamic) return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(dynamic[2]!);
          if (dynamic[1]) catchAll = true;
          return dynamic[1] ? "(.+)" : "([^/]+)";
        })
        .join("/");
      entries.push({ pattern: new RegExp(`^/${source}/?$`), names, catchAll, file: path.join(dir, item.name) });
    }
  }
  return entries;
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  // As Next.js does, a static segment wins over a dynamic one (/invoice/payment over /invoice/[invoiceId]),
  // and a catch-all ([...unknown]) comes last.
  const routes = discover(appDir)
    .filter((r) => !r.file.includes(`${path.sep}api${path.sep}auth${path.sep}`))
    .sort((a, b) => Number(a.catchAll) - Number(b.catchAll) || a.names.length - b.names.length);
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
      const match = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).find((x) => x.m);
      if (!match) {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "not_found" } }));
        return;
      }
      match.r.module ??= (await import(match.r.file)) as RouteModule;
      const handler = match.r.module[req.method ?? "GET"];
      if (!handler) {
        res
          .writeHead(405, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: "method_not_allowed" } }));
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      }
      // As scripts/http-server.ts does: the client address comes from the socket, by the one rule.
      const clientAddress = resolveClientAddress({
        peer: req.socket.remoteAddress,
        forwardedFor: headers.get("x-forwarded-for"),
        trustedProxies: config().TRUSTED_PROXY_COUNT,
      });
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(url, {
        method: req.method,
        headers,
        body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
        ...(hasBody ? { duplex: "half" } : {}),
      });
      const params = Object.fromEntries(match.r.names.map((n, i) => [n, decodeURIComponent(match.m![i + 1]!)]));
      const response = await withClientAddress(clientAddress, () =>
        handler(request, { params: Promise.resolve(params) }),
      );
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      // The route wrapper never throws; reaching here is a harness bug worth seeing.
      res.writeHead(599, { "content-type": "text/plain" }).end(String((e as Error).stack));
    }
  };
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
