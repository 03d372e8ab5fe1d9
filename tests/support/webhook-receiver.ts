import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/**
 * A partner's webhook receiver, in the test's process: it records every
 * request (with whether the reference library verifies it against the secrets
 * the test registered for its path) and answers what the test scripted for
 * that path. `down()` stops listening (connections are refused) and `up()`
 * listens again on the same port.
 */

interface ReceivedWebhook {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The signature checked by `standardwebhooks` with each secret registered for the path, in order. */
  verifiedWith: boolean[];
  /** The status the receiver answered. */
  answered: number;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  base: string;
  received: ReceivedWebhook[];
  /** The secrets a path's requests are verified with. */
  secrets: Map<string, string[]>;
  /** What a path answers next; the last status repeats. */
  script: Map<string, number[]>;
  /** How long each answer waits (to keep several deliveries in flight at once). */
  delayMs: number;
  /** Requests to a path, in the order they arrived. */
  at(path: string): ReceivedWebhook[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

function verify(secret: string, body: string, headers: http.IncomingHttpHeaders): boolean {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const secrets = new Map<string, string[]>();
  const script = new Map<string, number[]>();
  let server: http.Server | undefined;
  let port = 0;

  const listen = async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        const path = req.url ?? "";
        const plan = script.get(path) ?? [200];
        const status = plan.length > 1 ? plan.shift()! : plan[0]!;
        received.push({
          path,
          id: String(req.headers["webhook-id"]),
          timestamp: String(req.headers["webhook-timestamp"]),
          signature: String(req.headers["webhook-signature"]),
          body,
          verifiedWith: (secrets.get(path) ?? []).map((s) => verify(s, body, req.headers)),
          answered: status,
        });
        setTimeout(() => res.writeHead(status).end(status >= 300 ? "not now" : "ok"), receiver.delayMs);
      });
    });
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  };

  await listen();
  const receiver: WebhookReceiver = {
    base: `http://127.0.0.1:${port}`,
    received,
    secrets,
    script,
    delayMs: 0,
    at: (path) => received.filter((r) => r.path === path),
    down: stop,
    up: listen,
    close: stop,
  };
  return receiver;
}
