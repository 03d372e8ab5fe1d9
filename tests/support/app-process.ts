import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { apiClient } from "./api";

export interface AppProcess {
  url: string;
  /** Whether the process runs an outbox worker. */
  outboxWorker: boolean;
  api: ReturnType<typeof apiClient>;
  /** What the app wrote to stderr so far (its error log). */
  stderr(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, "../..");
const entry = path.join(import.meta.dirname, "app-process-main.ts");
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the app (tests/support/app-process-main.ts) in a child process, as a
 * deployment runs it: its own configuration, pool and outbox worker. `env`
 * goes on top of this process's environment and the test defaults below; a
 * key set to undefined is removed.
 */
export async function startAppProcess(env: Record<string, string | undefined>): Promise<AppProcess> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "test",
    APP_URL: "http://gatehouse.test",
    OUTBOX_WORKER: "off",
    BILLING_SCHEDULER: "off",
    LOG_LEVEL: "error",
    ...env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: root,
    env: childEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  const ready = await new Promise<{ url: string; outboxWorker: boolean }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app process did not start within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`)),
      START_TIMEOUT_MS,
    );
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(`the app process exited with ${child.exitCode ?? child.signalCode} before listening:\n${stderr}`),
      );
    });
    // Read every line, so that the app never blocks on a full pipe; the first one with a url says it listens.
    createInterface({ input: child.stdout }).on("line", (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      const { url, outboxWorker } = (parsed ?? {}) as { url?: unknown; outboxWorker?: unknown };
      if (typeof url !== "string" || typeof outboxWorker !== "boolean") return;
      clearTimeout(timer);
      resolve({ url, outboxWorker });
    });
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });

  let stopping: Promise<void> | undefined;
  return {
    ...ready,
    api: apiClient(() => ready.url),
    stderr: () => stderr,
    alive: running,
    stop: () =>
      (stopping ??= (async () => {
        if (!running()) return;
        child.kill("SIGTERM");
        const forced = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(forced);
      })()),
  };
}
