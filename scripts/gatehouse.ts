/**
 * Admin CLI: `npm run gatehouse -- <command> [flags]`. Works while the app
 * runs, in embedded mode too (it connects to the process that owns the data).
 */
import { parseArgs } from "node:util";
import { ZodError } from "zod";
import type { CommandResult } from "../server/cli/cli-kit";

const usage = `usage: npm run gatehouse -- <command> [flags]

  partner create --name N [--sandbox] [--captcha] [--quota-ip N] [--quota-total N] [--currency C] [--owner KAM-EMAIL]
                 [--host HOSTNAME]... [--origin https://ORIGIN]... [--json]
                         --host: a white-label host of the partner (repeatable); --origin: a browser origin allowed by CORS
                         (repeatable; http://localhost:PORT for sandbox partners only)
  key create --partner ID [--name N] [--json]
  staff create --email E --role admin|operations|kam [--name N] [--password P] [--json]
  tier create --partner ID --name N --amount A --currency C [--initial-amount A] [--level L] [--description D] [--json]
  account credit --client UUID --amount A [--note N] [--json]
                         (sandbox partners only) add money to a client's account, audited
  webhook add --partner ID --url URL [--events TYPE,TYPE] [--json]
                         add a webhook endpoint (every event unless --events); prints its signing secret once
  webhook list --partner ID [--json]
  webhook remove --id ENDPOINT-ID [--json]
  billing run [--now ISO-TIME] [--partner ID]
                         issue and collect renewals, end lapsed and cancelled subscriptions (the app does this every minute)
  clients import --partner ID --file F.csv [--dry-run] [--send-emails] [--send-webhooks] [--json]
                         import a partner's existing clients from a CSV file (up to 100,000 rows): a dry run first, then the
                         import; with --json the last line is {"rows","ready","invalid","duplicates","imported"}
  ledger reconcile       check that every ledger transaction balances
  keys rotate            start signing access tokens with a new key
  migrate                apply database migrations
  seed                   first admin and sandbox partner on an empty database
  seed --demo            (development) demo partners, staff and a few thousand clients in every state
  seed --clients N [--partner ID]
                         (development) bulk-load N test clients with accounts, spread over all partners or into one
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: true,
  options: {
    name: { type: "string" },
    sandbox: { type: "boolean" },
    captcha: { type: "boolean" },
    "quota-ip": { type: "string" },
    "quota-total": { type: "string" },
    currency: { type: "string" },
    owner: { type: "string" },
    host: { type: "string", multiple: true },
    origin: { type: "string", multiple: true },
    partner: { type: "string" },
    email: { type: "string" },
    role: { type: "string" },
    password: { type: "string" },
    json: { type: "boolean" },
    demo: { type: "boolean" },
    clients: { type: "string" },
    client: { type: "string" },
    amount: { type: "string" },
    "initial-amount": { type: "string" },
    level: { type: "string" },
    description: { type: "string" },
    note: { type: "string" },
    now: { type: "string" },
    url: { type: "string" },
    events: { type: "string" },
    id: { type: "string" },
    file: { type: "string" },
    "dry-run": { type: "boolean" },
    "send-emails": { type: "boolean" },
    "send-webhooks": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const command = positionals.join(" ");
if (values.help || command === "") {
  process.stdout.write(usage);
  process.exit(command === "" && !values.help ? 2 : 0);
}

const { loadEnvConfig } = await import("@next/env");
loadEnvConfig(new URL("..", import.meta.url).pathname, process.env.NODE_ENV !== "production");

const { ConfigError } = await import("../env");
const { AppError } = await import("../server/errors");
const { messageWithoutParams } = await import("../server/log");
const { openDatabase } = await import("../server/setup/database");
// Each command loads its module when it runs: `clients import` loads only what importing needs,
// since the importing process's memory is one of its limits.
const commands = () => import("../server/cli/commands");

const handlers: Record<string, () => Promise<CommandResult>> = {
  "partner create": async () => (await commands()).partnerCreate(values),
  "key create": async () => (await commands()).keyCreate(values),
  "staff create": async () => (await commands()).staffCreate(values),
  "keys rotate": async () => (await commands()).keysRotate(),
  "tier create": async () => (await commands()).tierCreate(values),
  "account credit": async () => (await commands()).accountCredit(values),
  "billing run": async () => (await commands()).billingRun(values),
  "webhook add": async () => (await commands()).webhookAdd(values),
  "webhook list": async () => (await commands()).webhookList(values),
  "webhook remove": async () => (await commands()).webhookRemove(values),
  // Progress goes to stderr with --json, so the last line of stdout is the JSON alone.
  "clients import": async () =>
    (await import("../server/cli/import-command")).clientsImport(values, (line) =>
      (values.json ? process.stderr : process.stdout).write(`${line}\n`),
    ),
  "ledger reconcile": async () => (await commands()).ledgerReconcile(),
  migrate: async () => (await commands()).migrateCommand(),
  seed: async () => (await commands()).seedCommand(values),
};

const handler = handlers[command];
if (!handler) {
  process.stderr.write(`unknown command "${command}"\n\n${usage}`);
  process.exit(2);
}

let exitCode: number;
let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
try {
  db = await openDatabase("cli");
  const result = await handler();
  if (!values.json) for (const line of result.lines) process.stdout.write(`${line}\n`);
  else process.stdout.write(`${JSON.stringify(result.json ?? {})}\n`);
  exitCode = result.exitCode ?? 0;
} catch (e) {
  exitCode = 1;
  if (e instanceof ZodError)
    process.stderr.write(
      `${e.issues.map((i) => (i.path.length ? `--${i.path.join(".")}: ` : "") + i.message).join("\n")}\n`,
    );
  else if (e instanceof AppError) {
    const fields = e.fields.filter((f) => f.message !== e.message);
    process.stderr.write(
      `${e.message}${fields.length ? ` (${fields.map((f) => `${f.path}: ${f.message}`).join("; ")})` : ""}\n`,
    );
  } else if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
  else if (e instanceof Error) {
    // A failed query's message carries its parameters (a new password's hash, say); the cause says why it failed.
    process.stderr.write(
      `${messageWithoutParams(e)}${e.cause instanceof Error ? `\n${messageWithoutParams(e.cause)}` : ""}\n`,
    );
  } else process.stderr.write(`${String(e)}\n`);
} finally {
  await db?.close().catch(() => undefined);
}
process.exit(exitCode);
