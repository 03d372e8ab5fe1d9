import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "../../env";
import { runningJob } from "../../server/jobs/runner";
import { ensureWebhookWorker, WEBHOOK_JOB } from "../../server/webhooks/deliveries";

/** Whether a process delivers webhooks is WEBHOOK_WORKER's call (instrumentation.ts starts it at server start). */

afterEach(() => {
  delete process.env.WEBHOOK_WORKER;
  resetConfigForTests();
});

describe("the webhook worker", () => {
  it("does not start with WEBHOOK_WORKER=off", () => {
    process.env.WEBHOOK_WORKER = "off";
    resetConfigForTests();
    expect(ensureWebhookWorker()).toBeUndefined();
    expect(runningJob(WEBHOOK_JOB)).toBeUndefined();
  });

  it("starts once per process otherwise", async () => {
    process.env.WEBHOOK_WORKER = "on";
    resetConfigForTests();
    const job = ensureWebhookWorker();
    // Stopped before its first run: a real worker here would claim other test files' messages.
    await job?.stop();
    expect(job).toBeDefined();
    expect(runningJob(WEBHOOK_JOB)).toBe(job);
    expect(ensureWebhookWorker()).toBe(job);
  });
});
