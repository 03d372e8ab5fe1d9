import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A scenario's database: the one DATABASE_URL names, or else a fresh embedded
 * one in a temporary folder, opened in this process (and removed by close).
 * Background workers a scenario does not measure are switched off.
 */
export interface BenchDatabase {
  /** For the report: "PostgreSQL (DATABASE_URL)" or "embedded PGlite". */
  label: string;
  onPostgres: boolean;
  close(): Promise<void>;
}

export async function openBenchDatabase(tag: string, env: Record<string, string> = {}): Promise<BenchDatabase> {
  let embedded: { url: string; stop(): Promise<void> } | undefined;
  let dataDir: string | undefined;
  if (!process.env.DATABASE_URL) {
    const { startEmbeddedDatabase } = await import("../db/embedded-server");
    dataDir = mkdtempSync(path.join(os.tmpdir(), `gatehouse-bench-${tag}-`));
    embedded = await startEmbeddedDatabase(dataDir, "cli");
    process.env.DATABASE_URL = embedded.url;
  }
  Object.assign(process.env, { LOG_LEVEL: "warn", OUTBOX_WORKER: "off", BILLING_SCHEDULER: "off", ...env });
  return {
    label: embedded ? "embedded PGlite" : "PostgreSQL (DATABASE_URL)",
    onPostgres: !embedded,
    async close() {
      const { closeDb } = await import("../db/client");
      await closeDb();
      await embedded?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new partner of the scenario's own, and an admin's tRPC caller as the back office has it. */
export async function benchPartnerAndAdmin(tag: string) {
  const { getDb } = await import("../db/client");
  const { systemCaller } = await import("../server/caller");
  const { createPartner } = await import("../server/partners/create");
  const { createPartnerSchema } = await import("../server/partners/schemas");
  const { createStaffSchema } = await import("../server/staff/schemas");
  const { createStaff } = await import("../server/staff/staff");
  const { createCaller } = await import("../server/api/root");
  const { trpcContext } = await import("../server/api/trpc");
  const bench = systemCaller("bench");
  const partner = await createPartner(
    bench,
    createPartnerSchema.parse({
      name: `Bench ${tag} ${randomUUID().slice(0, 6)}`,
      quotaPerIpHour: 0,
      quotaTotalHour: 0,
    }),
  );
  const email = `bench-${tag}-${randomUUID().slice(0, 8)}@bench.test`;
  const name = "Bench admin";
  const admin = await createStaff(
    getDb(),
    bench,
    createStaffSchema.parse({ email, name, role: "admin", password: "bench-admin-password-only" }),
  );
  const staff = { id: admin.id, email, name, role: "admin" as const, sessionId: randomUUID(), mustEnrollTotp: false };
  const caller = createCaller(trpcContext({ staff, ip: "127.0.0.1", requestId: `bench-${randomUUID()}` }));
  return { partner, caller };
}
