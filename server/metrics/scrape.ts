import { poolStats } from "../../db/client";
import { config } from "../../env";
import { outboxBacklog } from "../mail/backlog";
import { hashQueueState } from "../passwords/hasher";
import { webhookBacklog } from "../webhooks/backlog";
import { metrics } from "./registry";

/**
 * The metrics text a scrape receives. Counters and the histogram are kept as
 * requests happen; the gauges are read now: the hashing queue and the
 * database pool from memory, the outbox and webhook backlogs with one cheap
 * query each (both on partial indexes of the rows still to send), cached for
 * a few seconds so that many scrapers, or a scrape storm, cost the database
 * one pair of queries at most every CACHE_MS.
 */

const CACHE_MS = 5_000;
const QUERY_TIMEOUT_MS = 2_000;

interface Backlog {
  at: number;
  done: Promise<void>;
}
const backlogKey = Symbol.for("gatehouse.metrics.backlog");
const holder = globalThis as { [backlogKey]?: Backlog };

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("metrics query timed out")), ms).unref());
}

async function readBacklogs(): Promise<void> {
  const m = metrics();
  try {
    const [outbox, webhooks] = await Promise.race([
      Promise.all([outboxBacklog(), webhookBacklog()]),
      timeout(QUERY_TIMEOUT_MS),
    ]);
    m.outboxPending.set(outbox.pending);
    m.outboxOldestAge.set(outbox.oldestAgeSeconds);
    m.webhookPending.set(webhooks.pending);
    m.webhookOldestAge.set(webhooks.oldestAgeSeconds);
    m.databaseUp.set(1);
  } catch {
    // The backlog gauges keep their last reading; gatehouse_database_up says it is not current.
    m.databaseUp.set(0);
  }
}

/** At most one pair of backlog queries per CACHE_MS, however many scrapes come meanwhile. */
function refreshBacklogs(): Promise<void> {
  const now = performance.now();
  const last = holder[backlogKey];
  if (last && now - last.at < CACHE_MS) return last.done;
  const next = { at: now, done: readBacklogs() };
  holder[backlogKey] = next;
  return next.done;
}

function readMemoryGauges(): void {
  const m = metrics();
  const hashing = hashQueueState();
  m.hashQueue.set({ state: "active" }, hashing.active);
  m.hashQueue.set({ state: "queued" }, hashing.queued);
  m.hashPoolSize.set(hashing.maxConcurrent);
  m.hashQueueLimit.set(hashing.maxQueue);
  const pool = poolStats();
  m.dbPool.set({ state: "total" }, pool?.total ?? 0);
  m.dbPool.set({ state: "idle" }, pool?.idle ?? 0);
  m.dbPool.set({ state: "waiting" }, pool?.waiting ?? 0);
  m.dbPoolMax.set(pool?.max ?? config().DATABASE_POOL_SIZE);
}

/** The Prometheus text format of every metric, the gauges read now (the backlogs at most CACHE_MS old). */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  await refreshBacklogs();
  readMemoryGauges();
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
