import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every metric Gatehouse exports, in one registry. The names are a contract
 * (docs/monitoring/ builds the dashboard and the alert rules on them, and
 * tests/observability/alerts.test.ts checks the rules use nothing else).
 *
 * The process metrics are prom-client's defaults under their standard names
 * (process_cpu_seconds_total, process_resident_memory_bytes,
 * process_start_time_seconds, nodejs_eventloop_lag_seconds, …), unprefixed,
 * so dashboards and alerts written for any Node.js service read them as they
 * are; the scrape's job and instance labels say whose they are.
 */

const REGISTRATION_FLAVOURS = ["partner", "white_label", "back_office"] as const;
export type RegistrationFlavour = (typeof REGISTRATION_FLAVOURS)[number];
/**
 * started: partner step 1 accepted (a code emailed); created: a client exists; confirmed: a white-label
 * client confirmed the email; invalid: refused for its input (fields, code, captcha, master key);
 * duplicate: the email is registered already; rate_limited: a quota or the code's send rules;
 * unavailable: the database or the password hashing queue (503); error: anything unexpected.
 */
const REGISTRATION_OUTCOMES = [
  "started",
  "created",
  "confirmed",
  "invalid",
  "duplicate",
  "rate_limited",
  "unavailable",
  "error",
] as const;
export type RegistrationOutcome = (typeof REGISTRATION_OUTCOMES)[number];

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    httpDuration: new Histogram({
      name: "gatehouse_http_request_duration_seconds",
      help: "HTTP requests served, by route template (never the raw path), method and status",
      labelNames: ["route", "method", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    registrations: new Counter({
      name: "gatehouse_registrations_total",
      help: "Registration attempts by flavour (partner, white_label, back_office) and outcome",
      labelNames: ["flavour", "outcome"] as const,
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: "gatehouse_outbox_pending",
      help: "Emails queued or being sent (read at scrape time, cached a few seconds)",
      registers: [registry],
    }),
    outboxOldestAge: new Gauge({
      name: "gatehouse_outbox_oldest_age_seconds",
      help: "Age of the oldest email still queued or being sent; 0 when none",
      registers: [registry],
    }),
    webhookPending: new Gauge({
      name: "gatehouse_webhook_deliveries_pending",
      help: "Webhook messages pending or being delivered (read at scrape time, cached a few seconds)",
      registers: [registry],
    }),
    webhookOldestAge: new Gauge({
      name: "gatehouse_webhook_deliveries_oldest_age_seconds",
      help: "Age of the oldest webhook message still pending or being delivered; 0 when none",
      registers: [registry],
    }),
    hashQueue: new Gauge({
      name: "gatehouse_password_hash_queue",
      help: "Password hashes running (state=active) and waiting for a thread (state=queued)",
      labelNames: ["state"] as const,
      registers: [registry],
    }),
    hashPoolSize: new Gauge({
      name: "gatehouse_password_hash_pool_size",
      help: "Password hashes that may run at once (ARGON2_MAX_CONCURRENCY)",
      registers: [registry],
    }),
    hashQueueLimit: new Gauge({
      name: "gatehouse_password_hash_queue_limit",
      help: "Password hashes that may wait before requests are refused with 503 (ARGON2_MAX_QUEUE)",
      registers: [registry],
    }),
    hashRejected: new Counter({
      name: "gatehouse_password_hash_rejected_total",
      help: "Requests refused with 503 because the password hashing queue was full",
      registers: [registry],
    }),
    dbPool: new Gauge({
      name: "gatehouse_db_pool_connections",
      help: "Database pool connections: state=total (open), idle, waiting (requests waiting for a connection)",
      labelNames: ["state"] as const,
      registers: [registry],
    }),
    dbPoolMax: new Gauge({
      name: "gatehouse_db_pool_max",
      help: "Largest number of connections the pool opens (DATABASE_POOL_SIZE)",
      registers: [registry],
    }),
    databaseUp: new Gauge({
      name: "gatehouse_database_up",
      help: "1 when the last scrape-time query reached the database, 0 when it failed",
      registers: [registry],
    }),
  };
  // Every pair from the start, so a rate over a quiet flavour reads 0 rather than no data.
  for (const flavour of REGISTRATION_FLAVOURS)
    for (const outcome of REGISTRATION_OUTCOMES) metrics.registrations.inc({ flavour, outcome }, 0);
  return metrics;
}

type Metrics = ReturnType<typeof create>;

// Kept on globalThis because Next.js may evaluate a module more than once in one process
// (separate bundles, dev reloads): one registry, or the second would count nothing anyone scrapes.
const metricsKey = Symbol.for("gatehouse.metrics");

export function metrics(): Metrics {
  const holder = globalThis as { [metricsKey]?: Metrics };
  return (holder[metricsKey] ??= create());
}

/** Counts one registration attempt. */
export function countRegistration(flavour: RegistrationFlavour, outcome: RegistrationOutcome): void {
  metrics().registrations.inc({ flavour, outcome });
}
