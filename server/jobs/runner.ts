import { log, withLogFields } from "../log";

/**
 * The one way background work runs in a Gatehouse process: a named job whose
 * `run` does one batch and says whether more is waiting. The runner calls it
 * again at once while there is more, then every `intervalMs`; a failing run
 * is logged and retried with a growing pause (never a crash); `wake()` runs
 * it now (after a commit that queued work). Work is shared between instances
 * by the database (claims with SKIP LOCKED, advisory locks), not here.
 */

export interface Job {
  /** Runs the job now instead of at the next tick. */
  wake(): void;
  /** Stops the job and waits for the run in flight to finish. */
  stop(): Promise<void>;
}

export interface JobDefinition {
  name: string;
  intervalMs: number;
  /** One batch; true when more is waiting and the job should run again at once. */
  run(): Promise<boolean>;
  /** The first run, after start (default: at once). */
  firstRunMs?: number;
  maxErrorDelayMs?: number;
  /** What the log says when a run fails: an operator reads it, so say what the failure means. */
  failureMessage?: string;
}

/**
 * Starts a job outside the registry: ensureJob is the way in for a process.
 * Exported for tests, which run a private job (their own transport, a short
 * interval) that neither collides with nor is woken by the process's own.
 */
export function startJob(d: JobDefinition): Job {
  const maxErrorDelayMs = d.maxErrorDelayMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let consecutiveErrors = 0;
  // A wake during a run may come after that run's last claim: run again.
  let wokenWhileRunning = false;

  async function drain(): Promise<void> {
    try {
      // Every line the run writes, in whatever it calls, carries the job's name as `job`.
      while (!stopped && (await withLogFields({ job: d.name }, () => d.run(), { alone: true })));
      consecutiveErrors = 0;
    } catch (error) {
      consecutiveErrors++;
      log.warn(d.failureMessage ?? "background job failed; will retry", { job: d.name, err: error, consecutiveErrors });
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    // A job alone must not keep a process (a CLI command, a test) alive.
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    if (running || stopped) return;
    running = drain().finally(() => {
      running = undefined;
      if (consecutiveErrors > 0) schedule(Math.min(d.intervalMs * 2 ** consecutiveErrors, maxErrorDelayMs));
      else schedule(wokenWhileRunning ? 0 : d.intervalMs);
      wokenWhileRunning = false;
    });
  }

  schedule(d.firstRunMs ?? 0);
  return {
    wake() {
      if (running) wokenWhileRunning = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

// Kept on globalThis because Next.js may evaluate a module more than once in one process
// (dev reloads, separate bundles), and one job of each name is enough.
const registryKey = Symbol.for("gatehouse.jobs");
type Registry = { [registryKey]?: Map<string, Job> };

/** Starts the named job once per process; later calls return the running one. */
export function ensureJob(d: JobDefinition): Job {
  const holder = globalThis as Registry;
  const jobs = (holder[registryKey] ??= new Map<string, Job>());
  const existing = jobs.get(d.name);
  if (existing) return existing;
  const job = startJob(d);
  jobs.set(d.name, job);
  return job;
}

/** The running job of this name, if this process started one. */
export function runningJob(name: string): Job | undefined {
  return (globalThis as Registry)[registryKey]?.get(name);
}
