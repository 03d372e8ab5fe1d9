import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { closeDb, getDb } from "../../db/client";
import { isDatabaseUnavailable } from "../../db/errors";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../db/embedded-server";
import { runMigrations } from "../../db/migrate";
import { resetConfigForTests } from "../../env";
import {
  createTestPartner,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  whiteLabelBody,
  type TestPartner,
} from "../support/api";
import { startAppProcess, type AppProcess } from "../support/app-process";
import { createPostgresCluster, findPostgresBinaries, type PostgresCluster } from "../support/postgres-cluster";

/**
 * The database stops in the middle of a registration burst. Every answer is
 * then a success or a quick 503 with Retry-After, nothing is half-written,
 * and the app serves again by itself once the database is back.
 *
 * The app runs in a process of its own (its own configuration and pool)
 * against a database this file starts and stops: a PostgreSQL cluster of its
 * own, and the embedded PGlite served over the wire protocol.
 */

// The pool's connect timeout (db/client.ts) plus room for a hash queued on a busy machine.
const FAILS_WITHIN_MS = 5_000 + 5_000;
const RECOVERS_WITHIN_MS = 30_000;
const SANDBOX_CODE = "12345";
const WHITE_LABEL = 10;
const PARTNER_STEP_TWO = 8;
const PARTNER_STEP_ONE = 6;

interface Database {
  /** The URL this test uses for setup and for the checks afterwards. */
  url: string;
  /** The environment that points the app process at the database. */
  appEnv: Record<string, string | undefined>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

interface Answer {
  kind: "white_label" | "partner_step_one" | "partner_step_two" | "health";
  email?: string;
  status: number;
  retryAfter: string | null;
  body: any;
  /** When it was sent and answered, on performance.now()'s clock. */
  sentAt: number;
  answeredAt: number;
}

/** Calls the app as a client would; a request that hangs fails the test instead of waiting forever. */
async function send(
  app: AppProcess,
  kind: Answer["kind"],
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
  email?: string,
): Promise<Answer> {
  const sentAt = performance.now();
  const res = await fetch(app.url + route, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  }).catch((e: unknown) => {
    throw new Error(
      `${method} ${route} got no answer (${String(e)}); the app ${app.alive() ? "is running" : "has exited"}. Its error log:\n${app.stderr()}`,
    );
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Left as text: the assertion will show it.
  }
  return {
    kind,
    email,
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: parsed,
    sentAt,
    answeredAt: performance.now(),
  };
}

function registerWhiteLabel(app: AppProcess, partner: TestPartner, email = uniqueEmail("wl-outage")) {
  return send(
    app,
    "white_label",
    "POST",
    "/api/public/register",
    whiteLabelBody({ email }),
    { partnerId: String(partner.id) },
    email,
  );
}

function partnerStepOne(app: AppProcess, partner: TestPartner, email = uniqueEmail("api-outage")) {
  return send(
    app,
    "partner_step_one",
    "POST",
    "/reg/user",
    { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD },
    { partnerId: String(partner.id) },
    email,
  );
}

function partnerStepTwo(app: AppProcess, partner: TestPartner, email: string) {
  return send(
    app,
    "partner_step_two",
    "POST",
    "/reg/user",
    { userType: "CUSTOMER", email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: SANDBOX_CODE },
    { partnerId: String(partner.id) },
    email,
  );
}

const succeeded = (a: Answer) => a.status === 201 || a.status === 202;

/** What a client may see while the database is away: a 503 it is told to retry, soon after the database went (or after asking, if later). */
function expectUnavailable(answer: Answer, databaseLostAt: number) {
  expect({
    kind: answer.kind,
    status: answer.status,
    code: answer.body?.error?.code ?? answer.body?.database,
    retryAfter: answer.retryAfter,
  }).toEqual({
    kind: answer.kind,
    status: 503,
    code: answer.kind === "health" ? "down" : "service_unavailable",
    retryAfter: expect.stringMatching(/^[1-9]\d*$/),
  });
  expect(answer.answeredAt - Math.max(answer.sentAt, databaseLostAt)).toBeLessThan(FAILS_WITHIN_MS);
}

async function poll<T>(what: string, attempt: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + RECOVERS_WITHIN_MS;
  let last: T;
  do {
    last = await attempt();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < deadline);
  throw new Error(`${what} did not happen within ${RECOVERS_WITHIN_MS} ms; last answer: ${JSON.stringify(last)}`);
}

/** Points this test process's own database access (createTestPartner) at the database under test. */
async function useDatabase(url: string) {
  await closeDb();
  process.env.DATABASE_URL = url;
  resetConfigForTests();
}

/** Rows that only a half-written registration could leave behind, by invariant. */
async function partialRegistrations(pool: pg.Pool, partnerId: number) {
  const ids = async (query: string) => (await pool.query<{ id: string }>(query, [partnerId])).rows.map((r) => r.id);
  return {
    clientWithoutAccount: await ids(
      `select c.id from clients c where c.partner_id = $1 and not exists (select 1 from accounts a where a.client_id = c.id and a.type = 'CHECKING')`,
    ),
    clientWithoutAudit: await ids(
      `select c.id from clients c where c.partner_id = $1 and not exists (select 1 from audit_events e where e.action = 'client.register' and e.entity_id = c.id::text)`,
    ),
    clientWithoutSession: await ids(
      `select c.id from clients c where c.partner_id = $1 and not exists (select 1 from refresh_tokens r where r.client_id = c.id)`,
    ),
    whiteLabelClientWithoutConfirmation: await ids(
      `select c.id from clients c where c.partner_id = $1 and c.created_via = 'white_label_api'
         and (not exists (select 1 from email_confirmations ec where ec.client_id = c.id)
           or not exists (select 1 from email_outbox o where o.client_id = c.id and o.template = 'email_confirmation'))`,
    ),
    partnerClientWithoutConfirmedStep: await ids(
      `select c.id from clients c where c.partner_id = $1 and c.created_via = 'partner_api' and not exists (select 1 from pending_registrations p where p.client_id = c.id and p.state = 'confirmed')`,
    ),
    confirmedStepWithoutClient: await ids(
      `select p.id from pending_registrations p where p.partner_id = $1 and p.state = 'confirmed' and p.client_id is null`,
    ),
    pendingWithoutEmail: await ids(
      `select p.id from pending_registrations p where p.partner_id = $1 and not exists (select 1 from email_outbox o where o.partner_id = $1 and lower(o.to_address) = lower(p.email) and o.template = 'registration_code')`,
    ),
    emailForMissingClient: await ids(
      `select o.id from email_outbox o where o.partner_id = $1 and o.client_id is not null and not exists (select 1 from clients c where c.id = o.client_id)`,
    ),
    codeEmailWithoutPending: await ids(
      `select o.id from email_outbox o where o.partner_id = $1 and o.template = 'registration_code' and not exists (select 1 from pending_registrations p where p.partner_id = $1 and lower(p.email) = lower(o.to_address))`,
    ),
    auditForMissingClient: await ids(
      `select e.id::text as id from audit_events e where e.partner_id = $1 and e.action = 'client.register' and not exists (select 1 from clients c where c.id::text = e.entity_id)`,
    ),
  };
}

function outageScenario(name: string, open: () => Promise<Database>, options: { killsConnections: boolean }) {
  describe(name, { timeout: 120_000 }, () => {
    let database: Database;
    let app: AppProcess;
    let partner: TestPartner;
    let checks: pg.Pool;
    const answered: Answer[] = [];
    const startedStepOne: string[] = [];

    beforeAll(async () => {
      database = await open();
      checks = new pg.Pool({ connectionString: database.url, max: 2 });
      checks.on("error", () => undefined);
      await runMigrations(checks);
      await useDatabase(database.url);
      // Quotas on but out of the way: the burst exercises their counters without being refused.
      partner = await createTestPartner({ sandbox: true, quotaPerIpHour: 10_000, quotaTotalHour: 10_000 });
      await closeDb();
      app = await startAppProcess(database.appEnv);
    }, 120_000);

    afterAll(async () => {
      await closeDb();
      await app?.stop();
      await checks?.end().catch(() => undefined);
      await database?.destroy();
    });

    it.runIf(options.killsConnections)(
      "survives a connection killed in the middle of a transaction: the transaction fails as an outage, the pool carries on",
      async () => {
        const failed = await getDb()
          .transaction(async (tx) => {
            const { rows } = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
            // Waits until the backend is gone, so its goodbye reaches the client between two queries.
            await checks.query("select pg_terminate_backend($1, 10000)", [rows[0]!.pid]);
            await tx.execute(sql`select 1`);
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(failed).toBeInstanceOf(Error);
        expect(isDatabaseUnavailable(failed)).toBe(true);
        const { rows } = await getDb().execute<{ ok: number }>(sql`select 1 as ok`);
        expect(rows).toEqual([{ ok: 1 }]);
        await closeDb();
      },
    );

    it("answers a burst cut by the outage with successes or quick 503s with Retry-After, never a 500 or a hang", async () => {
      // Also loads both routes in the app before the clock matters.
      const before = await Promise.all([
        registerWhiteLabel(app, partner),
        ...Array.from({ length: PARTNER_STEP_TWO }, () => partnerStepOne(app, partner)),
      ]);
      expect(before.map((a) => a.status)).toEqual([201, ...Array<number>(PARTNER_STEP_TWO).fill(202)]);
      answered.push(...before);
      startedStepOne.push(...before.slice(1).map((a) => a.email!));
      const requests: Array<() => Promise<Answer>> = [];
      for (let i = 0; i < Math.max(WHITE_LABEL, PARTNER_STEP_TWO, PARTNER_STEP_ONE); i++) {
        if (i < WHITE_LABEL) requests.push(() => registerWhiteLabel(app, partner));
        if (i < PARTNER_STEP_TWO) requests.push(() => partnerStepTwo(app, partner, startedStepOne[i]!));
        if (i < PARTNER_STEP_ONE) requests.push(() => partnerStepOne(app, partner));
      }
      // The database goes away as soon as the first registration is through, with the rest in flight.
      let stopping: Promise<void> | undefined;
      let lostAt = Infinity;
      const burst = await Promise.all(
        requests.map(async (request) => {
          const answer = await request();
          if (succeeded(answer) && !stopping) {
            lostAt = performance.now();
            stopping = database.stop();
          }
          return answer;
        }),
      );
      await stopping;
      answered.push(...burst);

      const unexpected = burst.filter((a) => !succeeded(a) && a.status !== 503);
      expect(unexpected, app.stderr()).toEqual([]);
      for (const answer of burst.filter((a) => !succeeded(a))) expectUnavailable(answer, lostAt);
      expect(burst.filter(succeeded).length).toBeGreaterThan(0);
      expect(burst.filter((a) => a.status === 503).length).toBeGreaterThan(0);
      expect(app.alive()).toBe(true);
      // An outage is expected: nothing was logged as an unexpected failure.
      expect(app.stderr()).not.toContain('"msg":"request failed"');
    });

    it("answers 503 with Retry-After at once while the database is down, health included", async () => {
      const down = await Promise.all([
        registerWhiteLabel(app, partner),
        partnerStepOne(app, partner),
        partnerStepTwo(app, partner, startedStepOne[0]!),
        send(app, "health", "GET", "/api/health"),
      ]);
      answered.push(...down.filter((a) => a.kind !== "health"));
      for (const answer of down) expectUnavailable(answer, 0);
      expect(app.alive()).toBe(true);
    });

    it("serves again by itself once the database is back, without restarting the app", async () => {
      await database.start();
      const health = await poll(
        "GET /api/health answering 200",
        () => send(app, "health", "GET", "/api/health"),
        (a) => a.status === 200,
      );
      expect(health.body).toMatchObject({ status: "ok", database: "up" });

      const registered = await poll(
        "a white-label registration succeeding",
        () => registerWhiteLabel(app, partner),
        (a) => a.status !== 503,
      );
      answered.push(registered);
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      const email = uniqueEmail("api-after");
      const first = await partnerStepOne(app, partner, email);
      const second = await partnerStepTwo(app, partner, email);
      answered.push(first, second);
      expect([first.status, second.status]).toEqual([202, 201]);
    });

    it("leaves no half-written registration, and every registration it acknowledged exists whole", async () => {
      expect(await partialRegistrations(checks, partner.id)).toEqual({
        clientWithoutAccount: [],
        clientWithoutAudit: [],
        clientWithoutSession: [],
        whiteLabelClientWithoutConfirmation: [],
        partnerClientWithoutConfirmedStep: [],
        confirmedStepWithoutClient: [],
        pendingWithoutEmail: [],
        emailForMissingClient: [],
        codeEmailWithoutPending: [],
        auditForMissingClient: [],
      });

      const { rows: stored } = await checks.query<{ id: string; email: string }>(
        "select id, lower(email) as email from clients where partner_id = $1",
        [partner.id],
      );
      const clientIds = new Set(stored.map((c) => c.id));
      const acknowledgedClients = answered
        .filter((a) => a.status === 201)
        .map((a) => (a.kind === "white_label" ? a.body.clientId : String(a.body.user_id).replace(/^usr:/, "")));
      expect(acknowledgedClients.length).toBeGreaterThan(1);
      expect(acknowledgedClients.filter((id) => !clientIds.has(id))).toEqual([]);
      // A 201 names the client created for the address that was sent.
      const emailOf = new Map(stored.map((c) => [c.id, c.email]));
      for (const a of answered.filter((x) => x.status === 201)) {
        const id = a.kind === "white_label" ? a.body.clientId : String(a.body.user_id).replace(/^usr:/, "");
        expect(emailOf.get(id)).toBe(a.email!.toLowerCase());
      }

      const { rows: pending } = await checks.query<{ email: string }>(
        "select lower(email) as email from pending_registrations where partner_id = $1",
        [partner.id],
      );
      const pendingEmails = new Set(pending.map((p) => p.email));
      const acknowledgedStepOne = answered
        .filter((a) => a.kind === "partner_step_one" && a.status === 202)
        .map((a) => a.email!.toLowerCase());
      expect(acknowledgedStepOne.filter((e) => !pendingEmails.has(e))).toEqual([]);
    });
  });
}

const binDir = findPostgresBinaries();
if (!binDir) {
  describe.skip("on a PostgreSQL cluster of its own (skipped: initdb and pg_ctl are not installed)", () => {
    it("needs PostgreSQL's server binaries", () => undefined);
  });
} else {
  outageScenario(
    "database outage on a PostgreSQL cluster of its own",
    async () => {
      const cluster: PostgresCluster = await createPostgresCluster(binDir);
      return {
        url: cluster.url,
        appEnv: { DATABASE_URL: cluster.url },
        stop: () => cluster.stop("immediate"),
        start: () => cluster.start(),
        destroy: () => cluster.destroy(),
      };
    },
    { killsConnections: true },
  );
}

outageScenario(
  "database outage on the embedded database (PGlite over the wire protocol)",
  async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-outage-"));
    // This process owns the data folder, as the launcher does; the app finds it through the folder's owner file.
    let embedded: EmbeddedDatabase | undefined = await startEmbeddedDatabase(dataDir, "server");
    const url = embedded.url;
    const port = Number(new URL(url).port);
    return {
      url,
      appEnv: { DATABASE_URL: undefined, GATEHOUSE_DATA_DIR: dataDir },
      async stop() {
        await embedded?.stop();
        embedded = undefined;
      },
      async start() {
        embedded = await startEmbeddedDatabase(dataDir, "server", { port });
      },
      async destroy() {
        await embedded?.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    // PGlite is one session: it has no backends to kill.
  },
  { killsConnections: false },
);
