import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A forward HTTP proxy that both scanners are pointed at. It forwards only to
 * the instance under test (anything else is refused, so a scanner cannot wander
 * off the machine) and counts every request per phase, with the answers' status
 * codes and the server errors, which are findings of their own.
 */

export interface ServerError {
  method: string;
  /** Path and query, cut to 300 characters. */
  target: string;
  status: number;
}

export interface Tally {
  requests: number;
  statuses: Record<string, number>;
  serverErrors: ServerError[];
  /** Requests for anything but the instance under test, or stopped by the guard: refused, never sent. */
  refused: number;
}

/** Says why a request must not be sent (it would end the scan's session), or nothing. */
export type Guard = (method: string, path: string, body: Buffer) => string | undefined;

export interface CountingProxy {
  url: string;
  /** Counts the following requests under this name. */
  phase(name: string): void;
  tally(name: string): Tally;
  close(): Promise<void>;
}

/** 503 is the server's documented back-pressure (Retry-After), not an error. */
const isServerError = (status: number) => status >= 500 && status !== 503;

/**
 * Keeps the crawl signed in: wapiti submits every form it finds, and the back
 * office's sign-out button is a server-action form (its body names the action
 * by id); next-auth's own sign-out endpoint is refused too.
 */
export function signOutGuard(actionIds: string[]): Guard {
  return (method, path, body) => {
    if (path.startsWith("/api/auth/signout")) return "refused: it would end the scan's session";
    if (method !== "POST") return undefined;
    // The field is "$ACTION_ID_<id>", percent-encoded ("%24…") when the form is sent url-encoded.
    const text = body.toString("latin1");
    return actionIds.some((id) => text.includes(`ACTION_ID_${id}`))
      ? "refused: it would end the scan's session"
      : undefined;
  };
}

const emptyTally = (): Tally => ({ requests: 0, statuses: {}, serverErrors: [], refused: 0 });

export async function startCountingProxy(target: URL, guard: Guard = () => undefined): Promise<CountingProxy> {
  const tallies = new Map<string, Tally>();
  let current = "setup";
  const tallyOf = (name: string) => {
    if (!tallies.has(name)) tallies.set(name, emptyTally());
    return tallies.get(name)!;
  };

  const server = http.createServer((req, res) => {
    const t = tallyOf(current);
    let url: URL;
    try {
      url = new URL(req.url ?? "", target);
    } catch {
      url = new URL("http://invalid.invalid/");
    }
    if (url.host !== target.host || url.protocol !== "http:") {
      t.refused++;
      res.writeHead(403, { "content-type": "text/plain" }).end("out of scope\n");
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(req, res, url, t, Buffer.concat(chunks)));
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, url: URL, t: Tally, body: Buffer) {
    const refusal = guard(req.method ?? "GET", url.pathname, body);
    if (refusal) {
      t.refused++;
      res.writeHead(403, { "content-type": "text/plain" }).end(`${refusal}\n`);
      return;
    }
    t.requests++;
    const headers = { ...req.headers };
    delete headers["proxy-connection"];
    delete headers["proxy-authorization"];
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: url.pathname + url.search, headers },
      (answer) => {
        const status = answer.statusCode ?? 0;
        t.statuses[status] = (t.statuses[status] ?? 0) + 1;
        if (isServerError(status))
          t.serverErrors.push({ method: req.method ?? "?", target: (url.pathname + url.search).slice(0, 300), status });
        res.writeHead(status, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      t.statuses.unreachable = (t.statuses.unreachable ?? 0) + 1;
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`upstream: ${e.message}\n`);
    });
    upstream.end(body);
  }
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    phase: (name) => {
      current = name;
    },
    tally: (name) => tallies.get(name) ?? emptyTally(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
