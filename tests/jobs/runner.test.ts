import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ensureJob, runningJob, startJob, type Job } from "../../server/jobs/runner";
import { log } from "../../server/log";

/**
 * The runner's contract, which every background job leans on. Intervals are
 * long where a run must come from the contract (more waiting, a wake), not
 * from the clock, and short where the clock is what is tested.
 */

const started: Job[] = [];
const track = (job: Job) => (started.push(job), job);

afterEach(async () => {
  await Promise.all(started.splice(0).map((job) => job.stop()));
  vi.restoreAllMocks();
});

/** A promise the test settles when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const LONG = 60_000;

describe("the job runner", () => {
  it("runs again at once while run() says more is waiting, then waits for the interval", async () => {
    let runs = 0;
    track(startJob({ name: "drain", intervalMs: LONG, run: async () => ++runs < 4 }));
    await vi.waitFor(() => expect(runs).toBe(4), { timeout: 1000, interval: 5 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(4);
  });

  it("logs a failing run and retries it after a growing pause, capped, without crashing", async () => {
    const warn = vi.spyOn(log, "warn");
    const at: number[] = [];
    track(
      startJob({
        name: "flaky",
        intervalMs: 10,
        maxErrorDelayMs: 60,
        failureMessage: "flaky could not run",
        async run() {
          at.push(performance.now());
          if (at.length <= 4) throw new Error(`failure ${at.length}`);
          return false;
        },
      }),
    );
    await vi.waitFor(() => expect(at.length).toBeGreaterThanOrEqual(5), { timeout: 2000, interval: 5 });
    const pauses = at.slice(1, 5).map((t, i) => t - at[i]!);
    // 20, 40, then 80 and 160 capped at 60 (a timer may fire a millisecond early).
    expect(pauses[0]).toBeGreaterThanOrEqual(18);
    expect(pauses[1]).toBeGreaterThanOrEqual(38);
    expect(pauses[2]).toBeGreaterThanOrEqual(58);
    expect(pauses[3]).toBeGreaterThanOrEqual(58);
    expect(pauses[3]).toBeLessThan(150);
    expect(warn).toHaveBeenCalledTimes(4);
    expect(warn).toHaveBeenLastCalledWith(
      "flaky could not run",
      expect.objectContaining({ job: "flaky", consecutiveErrors: 4 }),
    );
  });

  it("runs again after a run during which it was woken", async () => {
    const first = gate();
    let runs = 0;
    const job = track(
      startJob({
        name: "woken",
        intervalMs: LONG,
        async run() {
          runs++;
          if (runs === 1) await first.opened;
          return false;
        },
      }),
    );
    await vi.waitFor(() => expect(runs).toBe(1), { timeout: 1000, interval: 5 });
    // Work queued after this run's last look: without the wake it would wait a minute.
    job.wake();
    first.open();
    await vi.waitFor(() => expect(runs).toBe(2), { timeout: 1000, interval: 5 });
    // Idle, a wake runs it at once too.
    job.wake();
    await vi.waitFor(() => expect(runs).toBe(3), { timeout: 1000, interval: 5 });
  });

  it("stop() waits for the run in flight, and nothing runs after it", async () => {
    const inFlight = gate();
    let runs = 0;
    let finished = false;
    const job = startJob({
      name: "stopping",
      intervalMs: 10,
      async run() {
        runs++;
        await inFlight.opened;
        finished = true;
        return true;
      },
    });
    await vi.waitFor(() => expect(runs).toBe(1), { timeout: 1000, interval: 5 });
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    inFlight.open();
    await stopping;
    expect(finished).toBe(true);
    // run() said more was waiting, and a wake asks too: a stopped job ignores both.
    job.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(1);
  });

  it("ensureJob starts one job per name", async () => {
    const name = `once-${randomUUID()}`;
    let firstRuns = 0;
    let secondRuns = 0;
    const job = track(ensureJob({ name, intervalMs: LONG, run: async () => (firstRuns++, false) }));
    const again = ensureJob({ name, intervalMs: LONG, run: async () => (secondRuns++, false) });
    expect(again).toBe(job);
    expect(runningJob(name)).toBe(job);
    await vi.waitFor(() => expect(firstRuns).toBe(1), { timeout: 1000, interval: 5 });
    expect(secondRuns).toBe(0);
    expect(runningJob(`other-${randomUUID()}`)).toBeUndefined();
  });
});
