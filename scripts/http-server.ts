/**
 * The HTTP server `npm run dev` and `npm start` run (as a child of
 * scripts/serve.ts): Next.js behind a plain Node server that resolves each
 * request's client address from its socket (server/http/client-address.ts)
 * before Next.js sees it. `next start` cannot be used instead: it hands route
 * handlers only the headers, and fills X-Forwarded-For only when the client
 * did not write one itself.
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { config } from "../env";
import { resolveClientAddress, withClientAddress } from "../server/http/client-address";
import { answersUncompressed } from "../server/http/compression";

const mode = process.argv[2];
if (mode !== "dev" && mode !== "start") {
  process.stderr.write("usage: tsx scripts/http-server.ts dev|start\n");
  process.exit(2);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const c = config();
const app = next({ dev: mode === "dev", dir: root, port: c.PORT });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  const forwarded = req.headers["x-forwarded-for"];
  const clientAddress = resolveClientAddress({
    peer: req.socket.remoteAddress,
    forwardedFor: Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
    trustedProxies: c.TRUSTED_PROXY_COUNT,
  });
  // Next.js compresses whatever the client accepts compressed; the public API's small JSON answers are left plain.
  if (req.headers["accept-encoding"] && answersUncompressed((req.url ?? "/").split("?", 1)[0]!))
    delete req.headers["accept-encoding"];
  void withClientAddress(clientAddress, () => handle(req, res));
});

await new Promise<void>((resolve) => server.listen(c.PORT, resolve));
process.stdout.write(
  `Listening on ${c.APP_URL} (port ${c.PORT}${c.TRUSTED_PROXY_COUNT > 0 ? `, behind ${c.TRUSTED_PROXY_COUNT} trusted prox${c.TRUSTED_PROXY_COUNT === 1 ? "y" : "ies"}` : ""})\n`,
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeIdleConnections();
  await app.close().catch(() => undefined);
  process.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop());
