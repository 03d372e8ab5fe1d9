import { config } from "../../env";
import { log } from "../log";
import { deliverDueEmails } from "./outbox";
import { getMailTransport, type MailTransport } from "./transport";

export interface OutboxWorker {
  /** Stops polling and waits for the batch in flight to finish. */
  stop(): Promise<void>;
  /** Polls now instead of at the next tick, e.g. right after a commit that queued mail. */
  wake(): void;
}

export interface OutboxWorkerOptions {
  intervalMs?: number;
  transport?: MailTransport;
}

const BATCH_SIZE = 20;
const MAX_ERROR_DELAY_MS = 30_000;

/**
 * Polls the outbox and delivers due emails until none are left, then waits
 * for the next tick. Never throws: a database or transport outage is logged
 * and retried with a growing pause.
 */
export function startOutboxWorker({ intervalMs = 1000, transport = getMailTransport() }: OutboxWorkerOptions = {}): OutboxWorker {
  if (!transport) return { stop: async () => undefined, wake: () => undefined };
  const mail = transport;

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let consecutiveErrors = 0;
  // A wake during a drain may come after that drain's last claim; drain again.
  let wokenWhileRunning = false;

  async function drain(): Promise<void> {
    try {
      while (!stopped) {
        const { sent, failed } = await deliverDueEmails({ transport: mail, limit: BATCH_SIZE });
        if (sent + failed < BATCH_SIZE) break;
      }
      consecutiveErrors = 0;
    } catch (error) {
      consecutiveErrors++;
      log.warn("outbox worker could not deliver; will retry", { error, consecutiveErrors });
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    // Polling alone must not keep a process (a CLI command, a test) alive.
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    if (running || stopped) return;
    running = drain().finally(() => {
      running = undefined;
      if (consecutiveErrors > 0) schedule(Math.min(intervalMs * 2 ** consecutiveErrors, MAX_ERROR_DELAY_MS));
      else schedule(wokenWhileRunning ? 0 : intervalMs);
      wokenWhileRunning = false;
    });
  }

  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    wake() {
      if (running) wokenWhileRunning = true;
      else schedule(0);
    },
  };
}

// Kept on globalThis because Next.js may evaluate this module more than once
// in one process (dev reloads, separate bundles), and one worker is enough.
const workerKey = Symbol.for("gatehouse.outboxWorker");
type WorkerHolder = { [workerKey]?: OutboxWorker };

/**
 * Starts this process's outbox worker once, when OUTBOX_WORKER is "on" and
 * SMTP is configured. Every instance may run one: claims keep them apart.
 */
export function ensureOutboxWorker(): OutboxWorker | undefined {
  const holder = globalThis as WorkerHolder;
  if (holder[workerKey]) return holder[workerKey];
  if (config().OUTBOX_WORKER !== "on") return undefined;
  const transport = getMailTransport();
  if (!transport) return undefined;
  holder[workerKey] = startOutboxWorker({ transport });
  return holder[workerKey];
}
