import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { config } from "../../env";
import { systemCaller } from "../caller";
import { createMasterKey } from "../partners/api-keys";
import { createPartner } from "../partners/create";
import { createApiKeySchema, createPartnerSchema } from "../partners/schemas";
import { createStaffSchema } from "../staff/schemas";
import { countStaff, createStaff } from "../staff/staff";

/** Documented development-only credentials; production generates a password instead. */
const DEVELOPMENT_ADMIN = { email: "admin@gatehouse.local", password: "gatehouse-dev-admin" } as const;

export interface FirstStartReport {
  admin?: { email: string; password: string; generated: boolean };
  sandboxPartner?: { partnerId: number; masterKey: string };
}

/**
 * On a new database: a first admin and a sandbox partner with a master key,
 * so that the back office and both APIs can be tried at once.
 */
export async function seedFirstStart(db: Db): Promise<FirstStartReport> {
  const report: FirstStartReport = {};
  const system = systemCaller("first-start");
  await db.transaction(async (tx) => {
    // Two instances starting together must not both seed.
    await tx.execute(sql`select pg_advisory_xact_lock(7305071003)`);
    if ((await countStaff(tx)) === 0) {
      const production = config().isProduction;
      const input = createStaffSchema.parse({
        email: DEVELOPMENT_ADMIN.email,
        name: "First admin",
        role: "admin",
        password: production ? undefined : DEVELOPMENT_ADMIN.password,
      });
      const created = await createStaff(tx, system, input);
      report.admin = {
        email: created.email,
        password: created.generatedPassword ?? DEVELOPMENT_ADMIN.password,
        generated: Boolean(created.generatedPassword),
      };
    }
    const partners = await tx.execute<{ n: string }>(sql`select count(*)::text as n from partners`);
    if (Number(partners.rows[0]?.n ?? 0) === 0) {
      const partner = await createPartner(
        system,
        createPartnerSchema.parse({
          name: "Sandbox Partner",
          sandbox: true,
          quotaPerIpHour: 100,
          quotaTotalHour: 1000,
        }),
        tx,
      );
      const key = await createMasterKey(
        system,
        createApiKeySchema.parse({ partnerId: partner.id, name: "First-start key" }),
        tx,
      );
      report.sandboxPartner = { partnerId: partner.id, masterKey: key.key };
    }
  });
  return report;
}

export function describeFirstStart(report: FirstStartReport): string[] {
  const lines: string[] = [];
  if (report.admin) {
    lines.push(
      `First admin: ${report.admin.email} / ${report.admin.password}${report.admin.generated ? "  (shown once: write it down)" : "  (development only)"}`,
    );
  }
  if (report.sandboxPartner) {
    lines.push(`Sandbox partner: partnerId ${report.sandboxPartner.partnerId} (email code is always 12345)`);
    lines.push(`Sandbox master API key (shown once): ${report.sandboxPartner.masterKey}`);
  }
  return lines;
}
