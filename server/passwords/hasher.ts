import os from "node:os";
import { verify as bcryptVerify } from "@node-rs/bcrypt";
import { AppError } from "../errors";
import { config } from "../../env";
import { metrics } from "../metrics/registry";
import { HashPool } from "./hash-pool";

/** OWASP's first argon2id recommendation: 19 MiB, two passes, one lane. */
// 2 = Argon2id in @node-rs/argon2's Algorithm enum (a const enum, so not importable here).
export const ARGON2_PARAMS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Argon2 runs on a pool of low-priority threads (hash-pool.ts), off the event loop. At most
 * `maxConcurrent` hashes run at once and at most `maxQueue` wait; beyond that
 * a request is refused at once with 503 rather than piling up behind the rest.
 */
export class HashLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxQueue) {
        metrics().hashRejected.inc();
        throw new AppError("server_busy", "The server is busy; retry shortly", { retryAfterSeconds: 1 });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so the count never dips and races.
      if (next) next();
      else this.running--;
    }
  }
}

let limiter: HashLimiter | undefined;
let pool: HashPool | undefined;
function getLimiter(): HashLimiter {
  if (!limiter) {
    const c = config();
    limiter = new HashLimiter(c.ARGON2_MAX_CONCURRENCY ?? Math.max(1, os.availableParallelism()), c.ARGON2_MAX_QUEUE);
    pool = new HashPool(limiter.maxConcurrent);
  }
  return limiter;
}

/** The hashing queue now, for /metrics: nothing has run yet when the limiter does not exist. */
export function hashQueueState(): { active: number; queued: number; maxConcurrent: number; maxQueue: number } {
  if (limiter)
    return {
      active: limiter.active,
      queued: limiter.queued,
      maxConcurrent: limiter.maxConcurrent,
      maxQueue: limiter.maxQueue,
    };
  const c = config();
  return {
    active: 0,
    queued: 0,
    maxConcurrent: c.ARGON2_MAX_CONCURRENCY ?? Math.max(1, os.availableParallelism()),
    maxQueue: c.ARGON2_MAX_QUEUE,
  };
}

export function hashPassword(password: string): Promise<string> {
  return getLimiter().run(() => pool!.hash(password, ARGON2_PARAMS));
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return getLimiter().run(() => pool!.verify(passwordHash, password).catch(() => false));
}

/** bcrypt as other services store it ($2a$, $2b$, $2y$): kept from an import until the client's first sign-in. */
const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

export interface StoredPasswordCheck {
  ok: boolean;
  /** The password was right but its hash is not argon2id (an imported bcrypt hash): store hashPassword's instead. */
  upgrade: boolean;
}

/**
 * Checks a password against a client's stored hash, whatever its kind:
 * argon2id (ours), bcrypt (imported; verified with @node-rs/bcrypt on the
 * same bounded queue), or empty (imported without one: nothing verifies it,
 * the client must reset). An empty or unreadable hash still costs a
 * verification, as an unknown email does, so timing tells nothing.
 */
export async function verifyStoredPassword(passwordHash: string, password: string): Promise<StoredPasswordCheck> {
  if (BCRYPT_HASH.test(passwordHash)) {
    const ok = await getLimiter().run(() => bcryptVerify(password, passwordHash).catch(() => false));
    return { ok, upgrade: ok };
  }
  if (!passwordHash.startsWith("$argon2")) return { ok: await verifyAgainstNothing(password), upgrade: false };
  return { ok: await verifyPassword(passwordHash, password), upgrade: false };
}

let dummyHash: Promise<string> | undefined;
/**
 * Spends the same time as a real verification when there is no account, so
 * response times do not reveal which emails are registered.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword("gatehouse-timing-equaliser");
  await verifyPassword(await dummyHash, password);
  return false;
}
