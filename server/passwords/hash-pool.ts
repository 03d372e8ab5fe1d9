import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { log } from "../log";

/**
 * Argon2 on threads of our own, at a lower scheduling priority than the
 * threads that serve requests. A password hash is ~20 ms of pure CPU; with
 * every core hashing during a registration burst, a cheap request (health,
 * JWKS, a back-office page) would otherwise wait its turn behind them. At a
 * lower priority the hashing threads use whatever CPU the request threads
 * leave, so throughput stays the same and everything else stays responsive.
 * Where priorities cannot be set (another OS, a restricted container) the
 * threads simply run at the normal priority.
 */

type Op = { op: "hash"; password: string; options: object } | { op: "verify"; hash: string; password: string };
type Reply = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; message: string };

// Plain JavaScript evaluated in each worker, so the build needs no extra entry point.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const argon2 = require(workerData.argon2Path);
try {
  const os = require("node:os");
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, workerData.priority);
} catch {}
parentPort.on("message", (m) => {
  try {
    const value = m.op === "hash" ? argon2.hashSync(m.password, m.options) : argon2.verifySync(m.hash, m.password);
    parentPort.postMessage({ id: m.id, ok: true, value });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, message: String((e && e.message) || e) });
  }
});
`;

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<
    number,
    { resolve: (v: string | boolean) => void; reject: (e: Error) => void; slot: Slot }
  >();
  private readonly queue: Array<{ id: number; message: Op }> = [];
  private nextId = 1;

  constructor(
    readonly size: number,
    private readonly priority = os.constants.priority.PRIORITY_BELOW_NORMAL,
  ) {}

  private argon2Path(): string {
    return createRequire(path.join(process.cwd(), "package.json")).resolve("@node-rs/argon2");
  }

  private spawn(): Slot {
    // execArgv: [] so that flags the process was started with (--input-type=module, loaders) do not change how this plain CommonJS source runs.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { argon2Path: this.argon2Path(), priority: this.priority },
    });
    const slot: Slot = { worker, busy: false };
    worker.on("message", (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new Error(reply.message));
      slot.busy = false;
      // Idle, the thread must not keep a CLI or a test alive; dispatch refs it again for the next job.
      worker.unref();
      this.dispatch();
    });
    worker.on("error", (error) => {
      log.error("a password hashing thread failed; starting another", { error });
      this.replace(slot, error);
    });
    return slot;
  }

  /** A thread that died takes its job with it (rejected) and is replaced. */
  private replace(slot: Slot, error: Error) {
    for (const [id, waiting] of this.pending) {
      if (waiting.slot !== slot) continue;
      this.pending.delete(id);
      waiting.reject(error);
    }
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    void slot.worker.terminate().catch(() => undefined);
    this.dispatch();
  }

  private dispatch() {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) {
        slot = this.spawn();
        this.slots.push(slot);
      }
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.busy = true;
      // Referenced while it works, so a caller awaiting the hash keeps the process running.
      slot.worker.ref();
      this.pending.get(job.id)!.slot = slot;
      slot.worker.postMessage({ id: job.id, ...job.message });
    }
  }

  private run(message: Op): Promise<string | boolean> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot: undefined as unknown as Slot });
      this.queue.push({ id, message });
      this.dispatch();
    });
  }

  hash(password: string, options: object): Promise<string> {
    return this.run({ op: "hash", password, options }) as Promise<string>;
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.run({ op: "verify", hash, password }) as Promise<boolean>;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
