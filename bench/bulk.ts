/**
 * Bulk actions at scale: seeds `clients` clients of one partner (100,000 by
 * default), all active, then blocks every one of them with one filter-wide
 * bulk action (`client.bulk` as an admin, exactly as the Clients page asks)
 * and times it from the call until the operation reports completed, run by
 * the background worker as a server runs it. Goal: < 2 minutes on PostgreSQL.
 * It also checks that every client ended blocked and audited once.
 * Seeds its own partner into the database it is given: use an empty one
 * (DATABASE_URL), or leave DATABASE_URL unset for a fresh embedded one.
 */
import { benchPartnerAndAdmin, openBenchDatabase } from "./database";
import { line } from "./report";

export interface BulkOptions {
  clients: number;
}

const GOAL_MS = 120_000;

export async function runBulkScenario(o: BulkOptions): Promise<boolean> {
  const database = await openBenchDatabase("bulk", { WEBHOOK_WORKER: "off" });
  const { migrate } = await import("../server/setup/database");
  const { getDb } = await import("../db/client");
  const { sql } = await import("drizzle-orm");
  const { seedClients } = await import("../server/setup/demo-seed");
  const { ensureBulkOperationWorker } = await import("../server/clients/bulk-worker");
  try {
    await migrate();
    const db = getDb();
    const { partner, caller } = await benchPartnerAndAdmin("bulk");

    const seeded = await seedClients(db, { count: o.clients, partnerId: partner.id });
    // The demo seed mixes states; every client starts active so each one is blocked.
    await db.execute(sql`update clients set profile_state = 'active' where partner_id = ${partner.id}`);
    await db.execute(sql`analyze clients`);
    process.stdout.write(`\n${database.label}, ${o.clients.toLocaleString("en")} clients of one partner:\n`);
    line("seeding", `${(seeded.milliseconds / 1000).toFixed(1)} s`, "reference");

    const worker = ensureBulkOperationWorker();
    if (!worker) throw new Error("BULK_WORKER=off: the scenario needs this process's bulk worker");
    const started = performance.now();
    const op = await caller.client.bulk({
      action: "block",
      reason: "Benchmark: block a whole partner",
      selection: { filter: { partnerId: partner.id } },
    });
    const queuedMs = performance.now() - started;
    let view = op;
    while (view.status === "queued" || view.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, 100));
      view = await caller.client.bulkGet({ id: op.id, itemLimit: 0 });
    }
    const elapsedMs = performance.now() - started;
    await worker.stop();

    const [blocked] = (
      await db.execute<{ n: number }>(
        sql`select count(*)::int as n from clients where partner_id = ${partner.id} and profile_state = 'blocked'`,
      )
    ).rows;
    const [audited] = (
      await db.execute<{ n: number }>(
        sql`select count(*)::int as n from audit_events where action = 'client.state_changed' and after->>'bulkOperationId' = ${op.id}`,
      )
    ).rows;
    const complete =
      view.status === "completed" &&
      view.succeeded === o.clients &&
      blocked?.n === o.clients &&
      audited?.n === o.clients;
    line("operation started (items captured)", `${(queuedMs / 1000).toFixed(1)} s`, "reference");
    line(
      `block ${o.clients.toLocaleString("en")} clients, filter-wide`,
      `${(elapsedMs / 1000).toFixed(1)} s`,
      `< ${GOAL_MS / 1000} s, start to completed`,
      elapsedMs < GOAL_MS,
    );
    line(
      "every client blocked and audited once",
      `${blocked?.n ?? 0} / ${audited?.n ?? 0}`,
      `${view.status}, ${view.succeeded} succeeded, ${view.skipped} skipped, ${view.failed} failed`,
      complete,
    );
    process.stdout.write(`  rate: ${Math.round(o.clients / (elapsedMs / 1000)).toLocaleString("en")} clients/s\n`);
    return elapsedMs < GOAL_MS && complete;
  } finally {
    await database.close();
  }
}
