import { config } from "../../env";
import { ensureJob, startJob, type Job, type JobDefinition } from "../jobs/runner";
import { deliverDueEmails, OUTBOX_JOB } from "./outbox";
import { getMailTransport, type MailTransport } from "./transport";

interface OutboxWorkerOptions {
  intervalMs?: number;
  transport?: MailTransport;
}

const BATCH_SIZE = 20;

/**
 * Delivers due emails a batch at a time until none are left, then waits for
 * the next tick. A database or transport outage is logged and retried with a
 * growing pause (up to 30 s), never thrown.
 */
function outboxJob(transport: MailTransport, intervalMs = 1000): JobDefinition {
  return {
    name: OUTBOX_JOB,
    intervalMs,
    failureMessage: "outbox worker could not deliver; will retry",
    async run() {
      const { sent, failed } = await deliverDueEmails({ transport, limit: BATCH_SIZE });
      return sent + failed >= BATCH_SIZE;
    },
  };
}

/** A private worker with its own transport, outside the registry: for tests. Without a transport it does nothing. */
export function startOutboxWorker({ intervalMs, transport = getMailTransport() }: OutboxWorkerOptions = {}): Job {
  if (!transport) return { stop: async () => undefined, wake: () => undefined };
  return startJob(outboxJob(transport, intervalMs));
}

/**
 * Starts this process's outbox worker once, when OUTBOX_WORKER is "on" and
 * SMTP is configured. Every instance may run one: claims keep them apart.
 */
export function ensureOutboxWorker(): Job | undefined {
  if (config().OUTBOX_WORKER !== "on") return undefined;
  const transport = getMailTransport();
  if (!transport) return undefined;
  return ensureJob(outboxJob(transport));
}
