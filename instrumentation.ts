/**
 * Runs once when a Next.js server process starts: starts the background jobs,
 * each on server/jobs/runner.ts and each switched off by its own env setting.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { ensureOutboxWorker } = await import("./server/mail/worker");
    ensureOutboxWorker();
    const { ensureBillingScheduler } = await import("./server/billing/scheduler");
    ensureBillingScheduler();
    const { ensureFunnelRollupJob } = await import("./server/overview/funnel-rollup");
    ensureFunnelRollupJob();
    // Off with WEBHOOK_WORKER=off; every instance may run one (claims keep them apart).
    const { ensureWebhookWorker } = await import("./server/webhooks/deliveries");
    ensureWebhookWorker();
    // Off with BULK_WORKER=off; bulk actions on clients run in the background past 500 clients, and claims
    // with a lease keep instances apart.
    const { ensureBulkOperationWorker } = await import("./server/clients/bulk-worker");
    ensureBulkOperationWorker();
    // Off with IMPORT_WORKER=off; a job whose worker stopped is resumed by another once its claim lapses.
    const { ensureImportWorker } = await import("./server/imports/run");
    ensureImportWorker();
  }
}
