/**
 * The app in a process of its own, for tests that stop its database: it
 * reads its configuration from the environment it is given, owns its pool,
 * and serves the real route handlers until it is told to stop.
 */
import { closeDb } from "../../db/client";
import { startTestServer } from "./http-server";

const server = await startTestServer();
process.stdout.write(`listening ${server.url}\n`);

async function shutdown() {
  await server.close();
  await closeDb().catch(() => undefined);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
// The test holds stdin open; when the test process is gone, so is this one.
process.stdin.on("end", () => void shutdown()).resume();
