import { pingDatabase } from "../db/client";
import { config } from "../env";

export interface Health {
  status: "ok" | "degraded";
  database: "up" | "down";
  mode: "embedded" | "postgresql";
  latencyMs: number;
}

export async function checkHealth(): Promise<Health> {
  const started = performance.now();
  const mode = config().embedded ? "embedded" : "postgresql";
  try {
    await Promise.race([
      pingDatabase(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("database ping timed out")), 2000).unref()),
    ]);
    return { status: "ok", database: "up", mode, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { status: "degraded", database: "down", mode, latencyMs: Math.round(performance.now() - started) };
  }
}
