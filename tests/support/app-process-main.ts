/**
 * The app in a process of its own, configured by the environment it is given
 * as a deployed instance is: the real route handlers over HTTP with their own
 * connection pool and, when OUTBOX_WORKER is on and SMTP_URL is set, their own
 * outbox worker. Prints one JSON line once it listens; stops on SIGTERM or
 * SIGINT, and when stdin ends.
 */
import { closeDb } from "../../db/client";
import { ensureOutboxWorker } from "../../server/mail/worker";
import { startTestServer } from "./http-server";

const server = await startTestServer();
const worker = ensureOutboxWorker();
process.stdout.write(`${JSON.stringify({ url: server.url, outboxWorker: worker !== undefined })}\n`);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  // The database may be the thing a test has stopped: closing still ends the process.
  await worker?.stop().catch(() => undefined);
  await server.close();
  await closeDb().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
// The test holds stdin open; when the test process is gone, so is this one.
process.stdin.on("end", () => void shutdown()).resume();
