/**
 * One app instance in a process of its own, for tests of several instances
 * on one database: the real route handlers over HTTP with their own
 * connection pool and, when OUTBOX_WORKER is on and SMTP_URL is set, their
 * own outbox worker, all configured by the environment as a deployed
 * instance is. Prints one JSON line once it listens; stops on SIGTERM.
 */
import { closeDb } from "../../db/client";
import { ensureOutboxWorker } from "../../server/mail/worker";
import { startTestServer } from "./http-server";

const server = await startTestServer();
const worker = ensureOutboxWorker();
process.stdout.write(`${JSON.stringify({ url: server.url, outboxWorker: worker !== undefined })}\n`);

process.once("SIGTERM", () => {
  void (async () => {
    await worker?.stop();
    await server.close();
    await closeDb();
    process.exit(0);
  })();
});
