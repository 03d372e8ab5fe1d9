import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { WEBHOOK_EVENT_TYPES } from "../../db/enums";
import { staffUsers } from "../../db/schema";
import { creditSandboxAccount } from "../billing/back-office";
import { reconcileLedger } from "../billing/ledger";
import { runBillingCycle } from "../billing/scheduler";
import { createTierSchema, creditAccountSchema } from "../billing/schemas";
import { createTier } from "../billing/tiers";
import { AppError } from "../errors";
import { cli, partnerFlag, type CommandResult } from "./cli-kit";
import { afterBulkClientLoad } from "../overview/funnel-rollup";
import { createMasterKey } from "../partners/api-keys";
import { createPartner } from "../partners/create";
import { setPartnerHosts } from "../partners/hosts";
import { hostsSchema, originsSchema } from "../partners/origins";
import { createApiKeySchema, createPartnerSchema } from "../partners/schemas";
import { migrate } from "../setup/database";
import {
  BULK_SEED_TABLES,
  DEMO_CLIENT_PASSWORD,
  DEMO_SEED_TABLES,
  describeDemo,
  seedClients,
  seedDemo,
} from "../setup/demo-seed";
import { describeFirstStart, seedFirstStart } from "../setup/first-start";
import { createStaffSchema } from "../staff/schemas";
import { createStaff } from "../staff/staff";
import { rotateStoredSigningKey } from "../tokens/signing-keys";
import { addWebhookEndpoint, listWebhookEndpoints, removeWebhookEndpoint } from "../webhooks/endpoints";

/**
 * The admin CLI's commands. They call the same services as the HTTP layer and
 * the back office, with input parsed by the same schemas first (the caller and
 * result shape are in cli-kit.ts; `clients import` is in import-command.ts, so
 * the process that imports loads only what importing needs).
 */

const intFlag = (name: string) =>
  z.string().regex(/^\d+$/, `--${name} takes a whole number`).transform(Number).optional();

const partnerCreateFlags = z.object({
  name: z.string({ error: "--name is required" }).min(2, "--name must be at least 2 characters"),
  sandbox: z.boolean().default(false),
  captcha: z.boolean().default(false),
  "quota-ip": intFlag("quota-ip"),
  "quota-total": intFlag("quota-total"),
  currency: z.string().optional(),
  owner: z.email("--owner takes the email of an active key account manager").optional(),
  "key-name": z.string().default("Created with the CLI"),
  // Repeatable: --host a.example.com --host b.example.com. The first host is the one emails link to.
  host: z.array(z.string()).default([]).pipe(hostsSchema),
  origin: z.array(z.string()).default([]).pipe(originsSchema),
});

export async function partnerCreate(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = partnerCreateFlags.parse(flags);
  const result = await getDb().transaction(async (tx) => {
    let ownerStaffId: string | null = null;
    if (f.owner) {
      const [owner] = await tx
        .select({ id: staffUsers.id })
        .from(staffUsers)
        .where(
          and(
            sql`lower(${staffUsers.email}) = lower(${f.owner})`,
            eq(staffUsers.role, "kam"),
            eq(staffUsers.active, true),
          ),
        );
      if (!owner) throw new AppError("not_found", `--owner: no active key account manager has the email ${f.owner}`);
      ownerStaffId = owner.id;
    }
    const input = createPartnerSchema.parse({
      ownerStaffId,
      name: f.name,
      sandbox: f.sandbox,
      captchaRequired: f.captcha,
      ...(f["quota-ip"] !== undefined ? { quotaPerIpHour: f["quota-ip"] } : {}),
      ...(f["quota-total"] !== undefined ? { quotaTotalHour: f["quota-total"] } : {}),
      ...(f.currency ? { defaultCurrency: f.currency.toUpperCase() } : {}),
    });
    const partner = await createPartner(cli, input, tx);
    const key = await createMasterKey(
      cli,
      createApiKeySchema.parse({ partnerId: partner.id, name: f["key-name"] }),
      tx,
    );
    // In the same transaction: a host another partner holds leaves no half-made partner behind.
    if (f.host.length > 0 || f.origin.length > 0)
      await setPartnerHosts(cli, { partnerId: partner.id, hosts: f.host, allowedOrigins: f.origin }, tx);
    return { partner, key };
  });
  return {
    lines: [
      `Created partner "${result.partner.name}" with partnerId ${result.partner.id}${result.partner.sandbox ? " (sandbox: the email code is always 12345)" : ""}.`,
      `Master API key (shown once, store it now): ${result.key.key}`,
      ...(f.host.length > 0 ? [`Hosts: ${f.host.join(", ")} (emails link to https://${f.host[0]})`] : []),
      ...(f.origin.length > 0 ? [`Browser origins: ${f.origin.join(", ")}`] : []),
    ],
    json: { partnerId: result.partner.id, masterKey: result.key.key },
  };
}

const keyCreateFlags = z.object({
  partner: z.string({ error: "--partner is required" }).regex(/^\d+$/, "--partner takes a partnerId").transform(Number),
  name: z.string().default("Created with the CLI"),
});

export async function keyCreate(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = keyCreateFlags.parse(flags);
  const key = await createMasterKey(cli, createApiKeySchema.parse({ partnerId: f.partner, name: f.name }));
  return {
    lines: [`Master API key for partner ${f.partner} (shown once): ${key.key}`],
    json: { partnerId: f.partner, masterKey: key.key, prefix: key.prefix },
  };
}

const staffCreateFlags = z.object({
  email: z.string({ error: "--email is required" }),
  role: z.string({ error: "--role is required (admin, operations or kam)" }),
  name: z.string().optional(),
  password: z.string().optional(),
});

export async function staffCreate(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = staffCreateFlags.parse(flags);
  const input = createStaffSchema.parse({
    email: f.email,
    role: f.role,
    name: f.name ?? f.email.split("@")[0],
    password: f.password,
  });
  const staff = await createStaff(getDb(), cli, input);
  const lines = [`Created ${staff.role} ${staff.email}.`];
  if (staff.generatedPassword) lines.push(`Password (shown once): ${staff.generatedPassword}`);
  return {
    lines,
    json: {
      id: staff.id,
      email: staff.email,
      role: staff.role,
      ...(staff.generatedPassword ? { password: staff.generatedPassword } : {}),
    },
  };
}

export async function migrateCommand(): Promise<CommandResult> {
  await migrate();
  return { lines: ["Migrations applied."], json: { migrated: true } };
}

const seedFlags = z
  .object({
    demo: z.boolean().default(false),
    clients: z
      .string()
      .regex(/^[1-9]\d*$/, "--clients takes a whole number of at least 1")
      .transform(Number)
      .pipe(z.number().max(50_000_000, "--clients takes at most 50,000,000"))
      .optional(),
    partner: z.string().regex(/^\d+$/, "--partner takes a partnerId").transform(Number).optional(),
  })
  .refine((f) => f.partner === undefined || f.clients !== undefined, {
    path: ["partner"],
    message: "--partner goes with --clients N",
  });

export async function seedCommand(flags: Record<string, unknown> = {}): Promise<CommandResult> {
  const f = seedFlags.parse(flags);
  await migrate();
  const report = await seedFirstStart(getDb());
  const lines = describeFirstStart(report);
  if (!f.demo && f.clients === undefined) {
    return { lines: lines.length > 0 ? lines : ["Already seeded: there are staff and partners."], json: { ...report } };
  }
  const json: Record<string, unknown> = { ...report };
  if (f.demo) {
    const demo = await seedDemo(getDb());
    lines.push(...describeDemo(demo));
    json.demo = demo;
  }
  if (f.clients !== undefined) {
    const loaded = await seedClients(getDb(), {
      count: f.clients,
      partnerId: f.partner,
      onProgress: (done, total) =>
        process.stderr.write(`  ${done.toLocaleString("en")} / ${total.toLocaleString("en")} clients\n`),
    });
    const seconds = loaded.milliseconds / 1000;
    lines.push(
      `Loaded ${loaded.count.toLocaleString("en")} clients with CHECKING accounts in ${seconds.toFixed(1)} s (${Math.round(loaded.count / Math.max(seconds, 0.001)).toLocaleString("en")}/s), run ${loaded.runId}, partners ${loaded.partners.map((p) => `${p.id} (${p.count})`).join(", ")}.`,
      `Their password is ${DEMO_CLIENT_PASSWORD} (development only).`,
    );
    json.clients = loaded;
  }
  // Thousands of clients at once: the planner learns the tables' new sizes, and the Overview counts them now
  // rather than at its next recount (the running app's job is in another process).
  const after = await afterBulkClientLoad({
    tables: [...(f.demo ? DEMO_SEED_TABLES : []), ...(f.clients !== undefined ? BULK_SEED_TABLES : [])],
  });
  if (after.recounted) lines.push("The Overview's funnel was recounted with the new clients.");
  return { lines, json };
}

export async function keysRotate(): Promise<CommandResult> {
  const kid = await rotateStoredSigningKey();
  return {
    lines: [`New signing key ${kid}; the previous one stays in the JWKS until its tokens expire.`],
    json: { kid },
  };
}

// Billing: tiers, sandbox money, the scheduler and the books.

const tierCreateFlags = z.object({
  partner: z.string({ error: "--partner is required" }).regex(/^\d+$/, "--partner takes a partnerId").transform(Number),
  name: z.string({ error: "--name is required" }),
  amount: z.string({ error: "--amount is required, such as 9.99" }),
  currency: z.string({ error: "--currency is required, such as EUR" }).transform((c) => c.toUpperCase()),
  "initial-amount": z.string().optional(),
  level: z.string().regex(/^\d+$/, "--level takes a whole number from 0 to 5").transform(Number).optional(),
  description: z.string().optional(),
});

export async function tierCreate(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = tierCreateFlags.parse(flags);
  const input = createTierSchema.parse({
    partnerId: f.partner,
    name: f.name,
    amount: f.amount,
    currency: f.currency,
    ...(f["initial-amount"] !== undefined ? { initialAmount: f["initial-amount"] } : {}),
    ...(f.level !== undefined ? { level: f.level } : {}),
    ...(f.description !== undefined ? { description: f.description } : {}),
  });
  const tier = await createTier(cli, input);
  return {
    lines: [
      `Created tier "${tier.name}" (id ${tier.id}) for partner ${tier.partnerId}: ${tier.amount} ${tier.currency} every 30 days, first payment ${tier.initialPaymentAmount}.`,
    ],
    json: { id: tier.id },
  };
}

const accountCreditFlags = z.object({
  client: z.string({ error: "--client is required (the client's id)" }),
  amount: z.string({ error: "--amount is required, such as 100.00" }),
  note: z.string().optional(),
});

export async function accountCredit(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = accountCreditFlags.parse(flags);
  const credit = await creditSandboxAccount(
    cli,
    creditAccountSchema.parse({ clientId: f.client, amount: f.amount, note: f.note ?? "" }),
  );
  return {
    lines: [
      `Credited ${credit.amount} ${credit.currency} to account ${credit.accountId}; its balance is now ${credit.balance} ${credit.currency}.`,
    ],
    json: credit,
  };
}

const billingRunFlags = z.object({
  now: z.iso.datetime({ offset: true, error: "--now takes an ISO 8601 time such as 2030-01-31T00:00:00Z" }).optional(),
  partner: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, "--partner takes a partnerId")
    .transform(Number)
    .optional(),
});

export async function billingRun(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = billingRunFlags.parse(flags);
  const report = await runBillingCycle({
    ...(f.now ? { now: new Date(f.now) } : {}),
    ...(f.partner !== undefined ? { partnerId: f.partner } : {}),
  });
  return {
    lines: [
      `Examined ${report.examined} subscriptions: ${report.renewalsIssued} renewal invoices issued, ${report.renewalsPaid} paid, ${report.lapsed} lapsed, ${report.ended} ended, ${report.skipped} left to another instance${report.failed > 0 ? `, ${report.failed} FAILED (see the log; retried next run)` : ""}.`,
    ],
    json: { ...report },
    exitCode: report.failed > 0 ? 1 : 0,
  };
}

export async function ledgerReconcile(): Promise<CommandResult> {
  const r = await reconcileLedger(getDb());
  const totals = Object.entries(r.totals).map(([currency, total]) => `${currency} ${total}`);
  return {
    lines: [
      r.balanced ? "The ledger balances." : "THE LEDGER DOES NOT BALANCE.",
      `${r.transactions} transactions, ${r.entries} entries; totals by currency (minor units): ${totals.length > 0 ? totals.join(", ") : "none"}.`,
      ...(r.unbalancedTransactions.length > 0
        ? [`Unbalanced transactions: ${r.unbalancedTransactions.join(", ")}`]
        : []),
      ...(r.mismatchedCurrencies > 0
        ? [`Entries in another currency than their account: ${r.mismatchedCurrencies}`]
        : []),
    ],
    json: { ...r },
    exitCode: r.balanced ? 0 : 1,
  };
}

// Webhook endpoints of a partner, as its KAM manages them on the partner page.

const webhookAddFlags = z.object({
  partner: partnerFlag,
  url: z.string({ error: "--url is required, such as https://api.example.com/webhooks" }),
  events: z
    .string()
    .transform((list) =>
      list
        .split(",")
        .map((type) => type.trim())
        .filter((type) => type !== ""),
    )
    .pipe(z.array(z.enum(WEBHOOK_EVENT_TYPES, { error: `Unknown event type; use ${WEBHOOK_EVENT_TYPES.join(", ")}` })))
    .optional(),
});

export async function webhookAdd(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = webhookAddFlags.parse(flags);
  const endpoint = await addWebhookEndpoint(cli, { partnerId: f.partner, url: f.url, eventTypes: f.events ?? [] });
  return {
    lines: [
      `Added webhook endpoint ${endpoint.id} for partner ${endpoint.partnerId}: ${endpoint.url}, ${endpoint.eventTypes.length === 0 ? "every event" : endpoint.eventTypes.join(", ")}.`,
      `Signing secret (shown once, store it now): ${endpoint.secret}`,
    ],
    json: { id: endpoint.id, secret: endpoint.secret },
  };
}

export async function webhookList(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = z.object({ partner: partnerFlag }).parse(flags);
  const endpoints = await listWebhookEndpoints(cli, { partnerId: f.partner });
  return {
    lines:
      endpoints.length === 0
        ? [`Partner ${f.partner} has no webhook endpoints.`]
        : endpoints.map(
            (e) =>
              `${e.id}  ${e.enabled ? "enabled " : "disabled"}  ${e.url}  ${e.eventTypes.length === 0 ? "every event" : e.eventTypes.join(",")}  (${e.waiting} waiting, ${e.failed} failed)`,
          ),
    json: {
      endpoints: endpoints.map((e) => ({
        id: e.id,
        url: e.url,
        eventTypes: e.eventTypes,
        enabled: e.enabled,
        disabledReason: e.disabledReason,
        waiting: e.waiting,
        failed: e.failed,
      })),
    },
  };
}

export async function webhookRemove(flags: Record<string, unknown>): Promise<CommandResult> {
  const f = z
    .object({ id: z.string({ error: "--id is required (the endpoint's id, from webhook list)" }) })
    .parse(flags);
  const removed = await removeWebhookEndpoint(cli, { endpointId: f.id });
  return {
    lines: [
      `Removed webhook endpoint ${removed.id}${removed.undelivered > 0 ? `; ${removed.undelivered} undelivered messages given up` : ""}.`,
    ],
    json: { id: removed.id, removed: true, undelivered: removed.undelivered },
  };
}
