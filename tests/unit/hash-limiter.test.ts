import { describe, expect, it } from "vitest";
import { AppError } from "../../server/errors";
import { toHttpError } from "../../server/http/errors";
import { HashLimiter, hashPassword, verifyPassword } from "../../server/passwords/hasher";

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (a macrotask turn). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Work items that record when they start and how many run at once. */
function tracker() {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const gates = new Map<number, Deferred<string>>();
  const job = (id: number) => async () => {
    running++;
    peak = Math.max(peak, running);
    started.push(id);
    const gate = deferred<string>();
    gates.set(id, gate);
    try {
      return await gate.promise;
    } finally {
      running--;
    }
  };
  return {
    job,
    started,
    gate: (id: number) => gates.get(id)!,
    get running() {
      return running;
    },
    get peak() {
      return peak;
    },
  };
}

describe("HashLimiter(2, 3)", () => {
  it("runs at most 2 at once, queues 3, and refuses the 6th at once with server_busy (503, Retry-After 1)", async () => {
    const limiter = new HashLimiter(2, 3);
    const t = tracker();
    const calls = [1, 2, 3, 4, 5].map((id) => limiter.run(t.job(id)));
    await settle();
    expect(t.started).toEqual([1, 2]);
    expect(t.running).toBe(2);
    expect(limiter.queued).toBe(3);

    let sixthRan = false;
    const sixth = limiter.run(async () => {
      sixthRan = true;
      return "sixth";
    });
    const refusal = await sixth.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(sixthRan).toBe(false);
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: "server_busy", status: 503, retryAfterSeconds: 1 });
    const mapped = toHttpError(refusal, "req-busy-0001");
    expect(mapped.status).toBe(503);
    expect(mapped.headers["retry-after"]).toBe("1");
    // Refusing did not disturb the queue.
    expect(limiter.queued).toBe(3);

    t.gate(1).resolve("one");
    t.gate(2).resolve("two");
    await settle();
    expect(t.started).toEqual([1, 2, 3, 4]);
    expect(limiter.queued).toBe(1);
    t.gate(3).resolve("three");
    await settle();
    expect(t.started).toEqual([1, 2, 3, 4, 5]);
    expect(limiter.queued).toBe(0);
    t.gate(4).resolve("four");
    t.gate(5).resolve("five");
    expect(await Promise.all(calls)).toEqual(["one", "two", "three", "four", "five"]);
    expect(t.peak).toBe(2);
  });

  it("runs queued work in arrival order, one slot at a time, never exceeding 2", async () => {
    const limiter = new HashLimiter(2, 3);
    const t = tracker();
    const calls = [1, 2, 3, 4, 5].map((id) => limiter.run(t.job(id)));
    await settle();
    t.gate(2).resolve("two");
    await settle();
    expect(t.started).toEqual([1, 2, 3]);
    expect(t.running).toBe(2);
    t.gate(1).resolve("one");
    await settle();
    expect(t.started).toEqual([1, 2, 3, 4]);
    expect(t.running).toBe(2);
    t.gate(3).resolve("three");
    t.gate(4).resolve("four");
    await settle();
    t.gate(5).resolve("five");
    await Promise.all(calls);
    expect(t.peak).toBe(2);
  });

  it("still counts a slot handed to queued work: a call arriving meanwhile waits", async () => {
    const limiter = new HashLimiter(2, 3);
    const t = tracker();
    const calls = [1, 2, 3].map((id) => limiter.run(t.job(id)));
    await settle();
    t.gate(1).resolve("one");
    await settle();
    expect(t.started).toEqual([1, 2, 3]);
    // 2 and 3 hold both slots: the newcomer must queue, not start.
    calls.push(limiter.run(t.job(4)));
    await settle();
    expect(t.started).toEqual([1, 2, 3]);
    expect(limiter.queued).toBe(1);
    expect(t.peak).toBe(2);
    t.gate(2).resolve("two");
    await settle();
    expect(t.started).toEqual([1, 2, 3, 4]);
    t.gate(3).resolve("three");
    t.gate(4).resolve("four");
    expect(await Promise.all(calls)).toEqual(["one", "two", "three", "four"]);
    expect(t.peak).toBe(2);
  });

  it("frees the slot when work fails, and the failure reaches only its caller", async () => {
    const limiter = new HashLimiter(2, 3);
    const t = tracker();
    const first = limiter.run(t.job(1));
    const second = limiter.run(t.job(2));
    const third = limiter.run(t.job(3));
    await settle();
    t.gate(1).reject(new Error("hash failed"));
    await expect(first).rejects.toThrow("hash failed");
    await settle();
    expect(t.started).toEqual([1, 2, 3]);
    t.gate(2).resolve("two");
    t.gate(3).resolve("three");
    expect(await Promise.all([second, third])).toEqual(["two", "three"]);
    // Both slots are free again: two new jobs start at once without queueing.
    const u = tracker();
    const again = [limiter.run(u.job(1)), limiter.run(u.job(2))];
    await settle();
    expect(u.started).toEqual([1, 2]);
    expect(limiter.queued).toBe(0);
    u.gate(1).resolve("a");
    u.gate(2).resolve("b");
    expect(await Promise.all(again)).toEqual(["a", "b"]);
  });

  it("accepts new work again once the queue has drained", async () => {
    const limiter = new HashLimiter(2, 3);
    const t = tracker();
    const calls = [1, 2, 3, 4, 5].map((id) => limiter.run(t.job(id)));
    await settle();
    await expect(limiter.run(async () => "refused")).rejects.toMatchObject({ code: "server_busy" });
    for (const id of [1, 2, 3, 4, 5]) {
      t.gate(id).resolve(String(id));
      await settle();
    }
    await Promise.all(calls);
    expect(await limiter.run(async () => "accepted")).toBe("accepted");
  });

  it("with a queue of 0, refuses the third concurrent call", async () => {
    const limiter = new HashLimiter(2, 0);
    const t = tracker();
    const calls = [limiter.run(t.job(1)), limiter.run(t.job(2))];
    await expect(limiter.run(async () => "x")).rejects.toMatchObject({ code: "server_busy" });
    t.gate(1).resolve("1");
    t.gate(2).resolve("2");
    await Promise.all(calls);
  });
});

describe("hashPassword / verifyPassword (native argon2)", () => {
  it("produces an argon2id hash with OWASP parameters that verifies the password and nothing else", async () => {
    const hash = await hashPassword("A9#bL8@z");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifyPassword(hash, "A9#bL8@z")).toBe(true);
    expect(await verifyPassword(hash, "A9#bL8@Z")).toBe(false);
    expect(await verifyPassword(hash, "")).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("Qwerty123"), hashPassword("Qwerty123")]);
    expect(a).not.toBe(b);
    expect(await verifyPassword(b, "Qwerty123")).toBe(true);
  });

  it("answers false, not an exception, for a malformed stored hash", async () => {
    expect(await verifyPassword("not-a-hash", "Qwerty123")).toBe(false);
  });
});
