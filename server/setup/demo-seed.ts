import { randomBytes, randomUUID } from "node:crypto";
import { eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import {
  accounts,
  clients,
  emailConfirmations,
  partners,
  pendingRegistrations,
  refreshTokens,
  staffUsers,
  subscriptionTiers,
} from "../../db/schema";
import { recordAudit } from "../audit/record";
import { creditSandboxAccount } from "../billing/back-office";
import { payInvoice, startSubscription } from "../billing/client-billing";
import { createTierSchema, creditAccountSchema } from "../billing/schemas";
import { createTier } from "../billing/tiers";
import { config } from "../../env";
import { callerAs, systemCaller } from "../caller";
import { randomToken, sha256Hex } from "../crypto";
import { AppError } from "../errors";
import { createMasterKey } from "../partners/api-keys";
import { createPartner } from "../partners/create";
import { findPartnerById, type Partner } from "../partners/lookup";
import { createApiKeySchema, createPartnerSchema, type PartnerSettingsInput } from "../partners/schemas";
import { hashPassword } from "../passwords/hasher";
import { CODE_TTL_SECONDS, SANDBOX_CODE } from "../registration/code-lifecycle";
import { codeHashFor as emailCodeHash } from "../registration/email-confirmation";
import { codeHashFor as registrationCodeHash } from "../registration/partner-registration";
import { createStaffSchema } from "../staff/schemas";
import { createStaff } from "../staff/staff";

/**
 * Test and demo data for trying the back office: `gatehouse seed --demo` and
 * `gatehouse seed --clients N`. Development only: the accounts it creates have
 * published passwords, so both refuse to run with NODE_ENV=production.
 */

/** Development-only credentials of the demo staff (also in the CLI's output). */
const DEMO_STAFF = {
  kam: { email: "kam@gatehouse.local", name: "Kira Demo (KAM)", password: "gatehouse-dev-kam" },
  operations: { email: "ops@gatehouse.local", name: "Oskar Demo (operations)", password: "gatehouse-dev-ops" },
} as const;

/** Every seeded client's password (development only): lets anyone try the sign-in endpoints with seeded clients. */
export const DEMO_CLIENT_PASSWORD = "DemoClient123";

/** The tables `seed --clients` fills in bulk, and those `seed --demo` does: what the seed analyses afterwards. */
export const BULK_SEED_TABLES = [clients, accounts];
export const DEMO_SEED_TABLES = [clients, accounts, pendingRegistrations, emailConfirmations, refreshTokens];

const BATCH_SIZE = 100_000;
/** Batches loaded at once on PostgreSQL, which gives each insert statement one core. */
const BULK_CONNECTIONS = 4;
const seeder = systemCaller("demo-seed");

const FIRST_NAMES =
  "Olivia,Liam,Emma,Noah,Amelia,Oliver,Sofia,Elias,Mia,Lucas,Anna,Jonas,Laura,Mateo,Elena,Leo,Ines,Hugo,Marta,Arturs,Inga,Janis,Ieva,Tomas,Aiko,Kenji,Priya,Arjun,Fatima,Omar,Chloe,Felix,Nora,Emil,Zofia,Pavel,Lena,Marco,Giulia,Sven".split(
    ",",
  );
const LAST_NAMES =
  "Smith,Berzins,Ozola,Kalnins,Garcia,Muller,Rossi,Novak,Kowalski,Dubois,Jansen,Nielsen,Virtanen,Silva,Santos,Tanaka,Sato,Patel,Khan,Haddad,Brown,Wilson,Ivanova,Petrov,Horvat,Popescu,Nagy,Lindqvist,OBrien,Murphy,Fischer,Weber,Moreau,Costa,Yilmaz,Cohen,Levi,Andersen,Hansen,Kim".split(
    ",",
  );
const COUNTRIES = "LV,LT,EE,DE,GB,FR,ES,IT,PL,NL,SE,FI,PT,IE,US,CA,AE,JP,IN,BR".split(",");
const STREETS =
  "Brivibas iela,Main Street,High Street,Hauptstrasse,Rue de la Paix,Via Roma,Calle Mayor,Ulica Dluga,Kungsgatan,Mannerheimintie".split(
    ",",
  );

function refuseInProduction(what: string): void {
  if (config().isProduction) {
    throw new AppError(
      "forbidden",
      `${what} creates accounts with published passwords and is refused in production (NODE_ENV=production)`,
    );
  }
}

export interface SeedClientsOptions {
  count: number;
  /** Load every client into this partner; default: spread over all partners. */
  partnerId?: number;
  /** Staff member recorded as creator of the back-office share of the clients. */
  createdByStaffId?: string | null;
  onProgress?: (loaded: number, total: number) => void;
}

export interface SeedClientsReport {
  runId: string;
  count: number;
  partners: Array<{ id: number; count: number }>;
  milliseconds: number;
}

/**
 * Bulk-loads clients, each with its CHECKING account in its partner's
 * currency, with set-based SQL: one statement per batch of up to 100,000
 * clients, every row computed by the database from generate_series, no
 * per-row round trips. Emails carry a fresh run id, so loading again never
 * collides with earlier runs.
 */
export async function seedClients(db: Db, o: SeedClientsOptions): Promise<SeedClientsReport> {
  refuseInProduction("seed --clients");
  if (!Number.isInteger(o.count) || o.count < 1)
    throw new AppError("invalid_request", "The number of clients must be a whole number of at least 1");
  const started = performance.now();
  let targets: Partner[];
  if (o.partnerId !== undefined) {
    const partner = await findPartnerById(db, o.partnerId);
    if (!partner) throw AppError.field("partner_not_found", "partner", `No partner has id ${o.partnerId}`);
    targets = [partner];
  } else {
    const ids = await db.select({ id: partners.id }).from(partners).orderBy(partners.id);
    if (ids.length === 0)
      throw new AppError(
        "not_found",
        "There are no partners yet: run `gatehouse seed` or `gatehouse partner create` first",
      );
    targets = (await Promise.all(ids.map((r) => findPartnerById(db, r.id)))).filter(
      (p): p is Partner => p !== undefined,
    );
  }
  const runId = randomBytes(4).toString("hex");
  // All bulk clients share one argon2id hash of DEMO_CLIENT_PASSWORD: they are test
  // data, and hashing a million passwords would take hours for nothing.
  const passwordHash = await hashPassword(DEMO_CLIENT_PASSWORD);
  const nowMs = Date.now();
  const batches: Array<{ from: number; to: number }> = [];
  for (let from = 1; from <= o.count; from += BATCH_SIZE)
    batches.push({ from, to: Math.min(o.count, from + BATCH_SIZE - 1) });
  // Each batch commits on its own; several at once use more of the server's cores.
  // The embedded database runs one statement at a time, so there it is one after another.
  const c = config();
  const workers = c.embedded ? 1 : Math.min(BULK_CONNECTIONS, c.DATABASE_POOL_SIZE, batches.length);
  let loaded = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let batch = batches.shift(); batch && !failed; batch = batches.shift()) {
        try {
          await insertClientBatch(db, {
            partners: targets,
            ...batch,
            first: 1,
            total: o.count,
            runId,
            passwordHash,
            createdByStaffId: o.createdByStaffId ?? null,
            nowMs,
          });
        } catch (e) {
          failed = true;
          throw e;
        }
        loaded += batch.to - batch.from + 1;
        o.onProgress?.(loaded, o.count);
      }
    }),
  );
  // Row g goes to partner g mod k: the first partner gets rows k, 2k, …; partner i the rows i, i + k, ….
  const k = targets.length;
  const shares = targets.map((p, i) => ({
    id: p.id,
    count: i === 0 ? Math.floor(o.count / k) : Math.floor((o.count - i) / k) + 1,
  }));
  return {
    runId,
    count: o.count,
    partners: shares.filter((s) => s.count > 0),
    milliseconds: Math.round(performance.now() - started),
  };
}

const list = (values: readonly (string | number)[]) => sql`string_to_array(${values.join(",")}, ',')`;

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds (`msHex`, 12 hex digits),
 * the version, then the random bits and variant of the v4 text `v4`. Bulk rows
 * are numbered in creation order, so their keys arrive in index order and a
 * million inserts stay appends instead of random writes all over the primary
 * keys, the accounts' client index and the foreign-key checks. Clients created
 * by the app keep their random v4 ids; both are valid uuids.
 */
const uuidV7 = (msHex: SQL, v4: SQL) =>
  sql`(${msHex} || '7' || substr(${v4}, 16, 3) || substr(${v4}, 20, 4) || substr(${v4}, 25, 12))::uuid`;

const NINETY_DAYS_MS = 90 * 86_400_000;

interface ClientBatch {
  /** Clients go to these partners in turn. */
  partners: Partner[];
  /** Row numbers of this batch within the run (they make the emails unique). */
  from: number;
  to: number;
  /** Rows `first`..`first + total - 1` are spread over the last 90 days in that order. */
  first: number;
  total: number;
  runId: string;
  passwordHash: string;
  createdByStaffId: string | null;
  /** One instant for the whole run, so that batches line up in time. */
  nowMs: number;
}

/** One statement: the clients of rows `from`..`to` and, through a data-modifying CTE, their accounts. */
async function insertClientBatch(db: Db, o: ClientBatch): Promise<void> {
  const staffShare = o.createdByStaffId ? 0.1 : 0;
  await db.execute(sql`
    with k as (
      select ${list(FIRST_NAMES)} as first_names, ${list(LAST_NAMES)} as last_names, ${list(COUNTRIES)} as countries, ${list(STREETS)} as streets,
             ${list(o.partners.map((p) => p.id))}::int[] as partner_ids
    ), src as (
      select g, random() as r_status, random() as r_level, random() as r_state, random() as r_via, random() as r_time,
             random() as r_first, random() as r_last, random() as r_country, random() as r_birth, random() as r_addr,
             gen_random_uuid()::text as v4
      from generate_series(${o.from}::int, ${o.to}::int) as g
    ), shaped as (
      select g, r_level, r_state, r_birth, r_addr, r_via, v4,
             k.partner_ids[1 + g % ${o.partners.length}::int] as partner_id,
             k.first_names[1 + floor(r_first * ${FIRST_NAMES.length}::int)::int] as first_name,
             k.last_names[1 + floor(r_last * ${LAST_NAMES.length}::int)::int] as last_name,
             k.countries[1 + floor(r_country * ${COUNTRIES.length}::int)::int] as country,
             k.streets[1 + g % ${STREETS.length}::int] as street,
             case when r_status < 0.22 then 'not_verified' when r_status < 0.55 then 'email_verified' when r_status < 0.65 then 'phone_verified' else 'identified' end as status,
             -- Increasing with g (r_time < 1 keeps the order), denser towards today as sign-ups of a growing product are.
             ${o.nowMs}::float8 - power(1 - (g - ${o.first}::int + r_time) / ${o.total}::float8, 1.6) * ${NINETY_DAYS_MS}::float8 as ms
      from src cross join k
    ), classified as (
      select *, to_timestamp(ms / 1000) as created_at,
             case when r_via >= 1 - ${staffShare}::float8 then 'back_office'
                  when status <> 'not_verified' and r_via < 0.45 then 'partner_api'
                  else 'white_label_api' end as via
      from shaped
    ), ins as (
      insert into clients (id, partner_id, email, password_hash, user_type, first_name, last_name, country_code, birth_date, referral_code,
                           terms_agreed_at, postal_code, state, address1, profile_state, email_confirmed_at, verification_status,
                           verification_level, created_via, created_by_staff_id, created_at, updated_at)
      select ${uuidV7(sql`lpad(to_hex(ms::bigint), 12, '0')`, sql`v4`)}, partner_id,
             lower(first_name || '.' || last_name) || '.' || g || '.' || ${o.runId}::text || '@example.com',
             ${o.passwordHash}::text, 'CUSTOMER',
             -- The partner API collects an email and a password only; the profile comes with the white-label flavour.
             case when via = 'partner_api' then null else first_name end,
             case when via = 'partner_api' then null else last_name end,
             country,
             case when via = 'partner_api' then null else date '1950-01-01' + floor(r_birth * 20000)::int end,
             case when via <> 'partner_api' and r_addr < 0.1 then 'FRIEND' || (g % 997) else null end,
             case when via = 'partner_api' then null else created_at end,
             case when via <> 'partner_api' and r_addr < 0.6 then lpad((1000 + floor(r_addr * 98000))::int::text, 5, '0') else null end,
             case when via <> 'partner_api' and r_addr < 0.6 then country || '-' || lpad((1 + g % 40)::text, 2, '0') else null end,
             case when via <> 'partner_api' and r_addr < 0.6 then (1 + floor(r_addr * 300))::int || ' ' || street else null end,
             (case when r_state < 0.92 then 'active' when r_state < 0.97 then 'suspended' else 'blocked' end)::client_state,
             case when status = 'not_verified' then null else created_at + r_level * interval '3 hours' end,
             status::verification_status,
             case status when 'not_verified' then 0 when 'email_verified' then (r_level > 0.7)::int when 'phone_verified' then 1 else 2 + floor(r_level * 4)::int end,
             via::client_origin,
             case when via = 'back_office' then ${o.createdByStaffId}::uuid else null end,
             created_at, created_at
      from classified
      returning id, partner_id, created_at
    )
    insert into accounts (id, partner_id, client_id, type, currency, created_at)
    select ${uuidV7(sql`left(ins.id::text, 8) || substr(ins.id::text, 10, 4)`, sql`gen_random_uuid()::text`)}, ins.partner_id, ins.id, 'CHECKING', p.default_currency, ins.created_at
    from ins join partners p on p.id = ins.partner_id
    order by ins.created_at`);
}

interface DemoPartnerSpec {
  name: string;
  settings: Omit<PartnerSettingsInput, "name">;
  ownedByKam: boolean;
  suspended: boolean;
  clients: number;
}

const DEMO_PARTNERS: DemoPartnerSpec[] = [
  {
    name: "Northwind Sandbox (demo)",
    settings: { sandbox: true, defaultCurrency: "EUR", quotaPerIpHour: 100, quotaTotalHour: 1000 },
    ownedByKam: false,
    suspended: false,
    clients: 900,
  },
  {
    name: "Baltic Pay (demo)",
    settings: {
      captchaRequired: true,
      defaultCurrency: "EUR",
      quotaPerIpHour: 3,
      quotaTotalHour: 500,
      kycApprovedLevel: 3,
    },
    ownedByKam: true,
    suspended: false,
    clients: 1100,
  },
  {
    name: "Lumen Wallet (demo)",
    settings: {
      defaultCurrency: "GBP",
      quotaPerIpHour: 5,
      quotaTotalHour: 300,
      allowedUserTypes: ["CUSTOMER", "BUSINESS"],
    },
    ownedByKam: true,
    suspended: false,
    clients: 700,
  },
  {
    name: "Harbor Finance (demo)",
    settings: { defaultCurrency: "USD" },
    ownedByKam: false,
    suspended: true,
    clients: 400,
  },
];

export interface DemoReport {
  runId: string;
  staff: Array<{ role: "kam" | "operations"; email: string; password: string; created: boolean }>;
  partners: Array<{
    id: number;
    name: string;
    sandbox: boolean;
    captcha: boolean;
    currency: string;
    suspended: boolean;
    ownedByKam: boolean;
    masterKey?: string;
  }>;
  clients: number;
  pendingRegistrations: number;
  emailConfirmations: number;
  refreshTokens: number;
  tiers: number;
  subscriptions: { active: number; unpaid: number };
  milliseconds: number;
}

/**
 * A realistic demo: four partners (a sandbox, a captcha one, different
 * currencies, a suspended one), a KAM owning two of them, an operations staff
 * member, a few thousand clients in every state, status, level and country
 * created over the last 90 days with their accounts, sessions, pending
 * registrations and unconfirmed emails, some of them expired. Running it again
 * reuses the staff and partners and adds another run of clients.
 */
export async function seedDemo(db: Db): Promise<DemoReport> {
  refuseInProduction("seed --demo");
  const started = performance.now();
  const setup = await db.transaction(async (tx) => {
    const staff: DemoReport["staff"] = [];
    const staffIds: Record<"kam" | "operations", string> = { kam: "", operations: "" };
    for (const role of ["kam", "operations"] as const) {
      const spec = DEMO_STAFF[role];
      const [existing] = await tx
        .select({ id: staffUsers.id })
        .from(staffUsers)
        .where(sql`lower(${staffUsers.email}) = lower(${spec.email})`);
      staffIds[role] =
        existing?.id ??
        (
          await createStaff(
            tx,
            seeder,
            createStaffSchema.parse({ email: spec.email, name: spec.name, role, password: spec.password }),
          )
        ).id;
      staff.push({ role, email: spec.email, password: spec.password, created: !existing });
    }
    const made: Array<{ partner: Partner; spec: DemoPartnerSpec; masterKey?: string }> = [];
    for (const spec of DEMO_PARTNERS) {
      const [existing] = await tx
        .select({ id: partners.id })
        .from(partners)
        .where(eq(partners.name, spec.name))
        .limit(1);
      if (existing) {
        made.push({ partner: (await findPartnerById(tx, existing.id))!, spec });
        continue;
      }
      const partner = await createPartner(
        seeder,
        createPartnerSchema.parse({
          name: spec.name,
          ...spec.settings,
          ownerStaffId: spec.ownedByKam ? staffIds.kam : null,
        }),
        tx,
      );
      const key = await createMasterKey(
        seeder,
        createApiKeySchema.parse({ partnerId: partner.id, name: "Demo key" }),
        tx,
      );
      if (spec.suspended) {
        await tx
          .update(partners)
          .set({ status: "suspended", updatedAt: new Date() })
          .where(eq(partners.id, partner.id));
        await recordAudit(tx, seeder, {
          action: "partner.suspend",
          entityType: "partner",
          entityId: String(partner.id),
          partnerId: partner.id,
          before: { status: "active" },
          after: { status: "suspended" },
        });
        partner.status = "suspended";
      }
      made.push({ partner, spec, masterKey: key.key });
    }
    return { staff, staffIds, made };
  });

  const runId = randomBytes(4).toString("hex");
  const passwordHash = await hashPassword(DEMO_CLIENT_PASSWORD);
  let offset = 0;
  for (const { partner, spec } of setup.made) {
    await insertClientBatch(db, {
      partners: [partner],
      from: offset + 1,
      to: offset + spec.clients,
      first: offset + 1,
      total: spec.clients,
      runId,
      passwordHash,
      createdByStaffId: setup.staffIds.operations,
      nowMs: Date.now(),
    });
    offset += spec.clients;
  }
  const partnerIds = setup.made.map((m) => m.partner.id);
  const thisRun = sql`c.partner_id in (${sql.join(
    partnerIds.map((id) => sql`${id}`),
    sql`, `,
  )}) and c.email like ${`%.${runId}@example.com`}`;

  const active = setup.made.filter((m) => m.partner.status === "active").map((m) => m.partner);
  const pending = await seedPendingRegistrations(db, active, runId, passwordHash);
  const confirmations = await seedEmailConfirmations(db, active, thisRun);

  // Sessions: refresh tokens nobody holds (random hashes), some rotated, revoked or expired.
  const tokens = await db.execute(sql`
    insert into refresh_tokens (family_id, client_id, partner_id, token_hash, flavour, created_at, expires_at, rotated_at, revoked_at, revoked_reason, ip, user_agent)
    select gen_random_uuid(), c.id, c.partner_id, encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'),
           case when c.created_via = 'partner_api' then 'partner' else 'white_label' end,
           t.at, t.at + interval '30 days',
           case when t.r < 0.2 then t.at + interval '1 day' end,
           case when t.r > 0.9 then t.at + interval '2 hours' end,
           case when t.r > 0.9 then 'signed_out' end,
           '198.51.100.' || (1 + floor(t.r * 250))::int,
           (array['GatehouseDemo/2.3 (iOS 18.1)', 'GatehouseDemo/2.3 (Android 15)', 'Mozilla/5.0 (Macintosh) Safari/605.1'])[1 + floor(t.r * 3)::int]
    from clients c
    cross join lateral (select c.created_at + random() * (now() - c.created_at) as at, random() as r) t
    where ${thisRun} and c.profile_state = 'active' and random() < 0.35`);

  const billing = await seedDemoBilling(db, active, thisRun);

  return {
    runId,
    staff: setup.staff,
    partners: setup.made.map(({ partner, spec, masterKey }) => ({
      id: partner.id,
      name: partner.name,
      sandbox: partner.sandbox,
      captcha: partner.captchaRequired,
      currency: partner.defaultCurrency,
      suspended: partner.status === "suspended",
      ownedByKam: spec.ownedByKam,
      ...(masterKey ? { masterKey } : {}),
    })),
    clients: offset,
    pendingRegistrations: pending,
    emailConfirmations: confirmations,
    refreshTokens: tokens.rowCount ?? 0,
    tiers: billing.tiers,
    subscriptions: billing.subscriptions,
    milliseconds: Math.round(performance.now() - started),
  };
}

const DEMO_TIERS = [
  { name: "Basic", amount: "4.99", level: 1, features: ["One account", "Card payments"], mostPopular: false },
  {
    name: "Premium",
    amount: "9.99",
    level: 2,
    features: ["Three accounts", "Card payments", "Free transfers"],
    mostPopular: true,
  },
  {
    name: "Business",
    amount: "29.99",
    level: 3,
    features: ["Unlimited accounts", "Bulk payments", "A dedicated manager"],
    mostPopular: false,
  },
];

/**
 * Tiers for every active demo partner that has none, and for the sandbox
 * partners some subscriptions through the same services clients use: sandbox
 * credit, start, pay (ACTIVE), and a few started and left unpaid (INIT).
 */
async function seedDemoBilling(db: Db, active: Partner[], thisRun: SQL) {
  let tiers = 0;
  const subscriptions = { active: 0, unpaid: 0 };
  for (const partner of active) {
    const existing = await db
      .select({ id: subscriptionTiers.id })
      .from(subscriptionTiers)
      .where(eq(subscriptionTiers.partnerId, partner.id))
      .orderBy(subscriptionTiers.sortOrder);
    const tierIds = existing.map((t) => t.id);
    if (tierIds.length === 0) {
      for (const t of DEMO_TIERS) {
        const tier = await createTier(
          seeder,
          createTierSchema.parse({
            partnerId: partner.id,
            currency: partner.defaultCurrency,
            description: `${t.name} plan`,
            ...t,
          }),
        );
        tierIds.push(tier.id);
        tiers++;
      }
    }
    if (!partner.sandbox) continue;
    const picked = await db.execute<{ id: string; email: string; account_id: string }>(sql`
      select c.id, c.email, a.id as account_id from clients c
      join accounts a on a.client_id = c.id and a.type = 'CHECKING' and a.currency = ${partner.defaultCurrency}
      where ${thisRun} and c.partner_id = ${partner.id} and c.profile_state = 'active'
      order by c.created_at desc limit 30`);
    for (const [i, row] of picked.rows.entries()) {
      // The client starts and pays, as it would over the partner API.
      const client = callerAs(seeder, { type: "client", id: row.id, partnerId: partner.id });
      const tierId = tierIds[i % tierIds.length]!;
      const paying = i % 3 !== 2;
      if (paying)
        await creditSandboxAccount(
          seeder,
          creditAccountSchema.parse({ clientId: row.id, amount: "100.00", note: "demo" }),
        );
      await db.transaction(async (tx) => {
        const started = await startSubscription(tx, client, {
          accountId: row.account_id,
          subscriptionDetailsId: tierId,
          anyCurrency: false,
        });
        if (paying) await payInvoice(tx, client, { invoiceId: started.id });
      });
      if (paying) subscriptions.active++;
      else subscriptions.unpaid++;
    }
  }
  return { tiers, subscriptions };
}

/** Partner-API step-1 registrations waiting for their code: most live, a third expired, a few locked. */
async function seedPendingRegistrations(
  db: Db,
  active: Partner[],
  runId: string,
  passwordHash: string,
): Promise<number> {
  const now = Date.now();
  const rows: Array<typeof pendingRegistrations.$inferInsert> = [];
  for (const partner of active) {
    for (let i = 0; i < 18; i++) {
      const id = randomUUID();
      const expired = i % 3 === 0;
      const createdAt = new Date(expired ? now - (20 + i * 190) * 60_000 : now - (i % 9) * 60_000 - 5_000 * i);
      const resendCount = i % 4 === 3 ? 1 + (i % 2) : 0;
      const lastSentAt = new Date(createdAt.getTime() + resendCount * 90_000);
      const first = FIRST_NAMES[(i * 7 + partner.id) % FIRST_NAMES.length]!.toLowerCase();
      const last = LAST_NAMES[(i * 11 + partner.id) % LAST_NAMES.length]!.toLowerCase();
      rows.push({
        id,
        partnerId: partner.id,
        email: `${first}.${last}.p${i}.${runId}@example.net`,
        passwordHash,
        userType: "CUSTOMER",
        // Sandbox codes are always 12345 and work from the dashboard; other codes are unknowable, ask for a resend.
        codeHash: registrationCodeHash(id, partner.sandbox ? SANDBOX_CODE : randomToken(16)),
        attempts: i % 5 === 4 ? 2 : i % 7 === 6 ? 5 : 0,
        resendCount,
        lastSentAt,
        expiresAt: new Date(lastSentAt.getTime() + CODE_TTL_SECONDS * 1000),
        state: i % 7 === 6 ? "locked" : "pending",
        requestIp: `203.0.113.${(i * 13) % 250}`,
        createdAt,
        updatedAt: lastSentAt,
      });
    }
  }
  if (rows.length > 0) await db.insert(pendingRegistrations).values(rows);
  return rows.length;
}

/**
 * Every unconfirmed white-label client of the run gets the confirmation its
 * registration opened (long expired); a dozen per partner were resent minutes
 * ago and are still live.
 */
async function seedEmailConfirmations(db: Db, active: Partner[], thisRun: SQL): Promise<number> {
  const inserted = await db.execute(sql`
    insert into email_confirmations (client_id, partner_id, code_hash, link_token_hash, expires_at, last_sent_at, state, created_at, updated_at)
    select c.id, c.partner_id, encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'), encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'),
           c.created_at + make_interval(secs => ${CODE_TTL_SECONDS}), c.created_at, 'pending', c.created_at, c.created_at
    from clients c
    where ${thisRun} and c.verification_status = 'not_verified' and c.created_via <> 'partner_api'`);
  const now = Date.now();
  for (const partner of active) {
    const recent = await db.execute<{ id: string; client_id: string }>(sql`
      select e.id, e.client_id from email_confirmations e join clients c on c.id = e.client_id
      where e.partner_id = ${partner.id} and ${thisRun} order by c.created_at desc limit 12`);
    for (const [i, row] of recent.rows.entries()) {
      const lastSentAt = new Date(now - (i % 9) * 60_000 - 10_000);
      await db
        .update(emailConfirmations)
        .set({
          codeHash: emailCodeHash(row.client_id, partner.sandbox ? SANDBOX_CODE : randomToken(16)),
          linkTokenHash: sha256Hex(randomToken(32)),
          resendCount: 1 + (i % 3),
          attempts: i % 4 === 1 ? 1 : 0,
          lastSentAt,
          expiresAt: new Date(lastSentAt.getTime() + CODE_TTL_SECONDS * 1000),
        })
        .where(eq(emailConfirmations.id, row.id));
    }
  }
  return inserted.rowCount ?? 0;
}

export function describeDemo(report: DemoReport): string[] {
  const lines = [
    `Demo data loaded in ${(report.milliseconds / 1000).toFixed(1)} s (run ${report.runId}).`,
    "",
    "Staff (development-only passwords):",
  ];
  for (const s of report.staff)
    lines.push(
      `  ${s.role.padEnd(10)} ${s.email} / ${s.password}${s.created ? "" : "  (already existed; password unchanged)"}`,
    );
  lines.push("", "Partners:");
  for (const p of report.partners) {
    const traits = [
      p.sandbox ? "sandbox: code 12345" : null,
      p.captcha ? "captcha" : null,
      p.currency,
      p.suspended ? "suspended" : null,
      p.ownedByKam ? "owned by the KAM" : null,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(`  ${p.id}  ${p.name} (${traits})${p.masterKey ? `  master key: ${p.masterKey}` : ""}`);
  }
  lines.push(
    "",
    `Clients: ${report.clients} with CHECKING accounts (password ${DEMO_CLIENT_PASSWORD}), ${report.refreshTokens} sessions,`,
    `${report.pendingRegistrations} partner-API registrations awaiting a code and ${report.emailConfirmations} unconfirmed white-label emails (some expired).`,
    `Subscription tiers: ${report.tiers} new; sandbox subscriptions: ${report.subscriptions.active} paid (ACTIVE), ${report.subscriptions.unpaid} awaiting payment (INIT).`,
  );
  return lines;
}
