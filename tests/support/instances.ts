import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { runMigrations } from "../../db/migrate";
import { apiClient } from "./api";

export interface AppInstance {
  url: string;
  /** Whether the instance runs an outbox worker. */
  outboxWorker: boolean;
  api: ReturnType<typeof apiClient>;
  stop(): Promise<void>;
}

const entry = path.resolve(import.meta.dirname, "app-instance.ts");
const START_TIMEOUT_MS = 60_000;

/** Starts tests/support/app-instance.ts as a separate Node process with `env` added to this one's. */
export async function startAppInstance(env: Record<string, string>): Promise<AppInstance> {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<{ url: string; outboxWorker: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the app instance did not start in time")), START_TIMEOUT_MS);
    void exited.then(() => reject(new Error(`the app instance exited with ${child.exitCode ?? child.signalCode}`)));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; outboxWorker: boolean });
    });
  }).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
  let stopping: Promise<void> | undefined;
  return {
    ...ready,
    api: apiClient(() => ready.url),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const forced = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(forced);
      })()),
  };
}

export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A migrated database of its own on the PostgreSQL server that `serverUrl`
 * points at, for tests whose background workers must not touch the rows of
 * other files (an outbox worker claims every due email).
 */
export async function createPrivateDatabase(serverUrl: string, tag: string): Promise<PrivateDatabase> {
  const url = new URL(serverUrl);
  const name = `${url.pathname.slice(1).slice(0, 40)}_${tag}_${randomUUID().slice(0, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await runMigrations(pool);
  } finally {
    await pool.end();
  }
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
