import { randomUUID } from "node:crypto";
import { getPool } from "../../db/client";
import type { Caller } from "../caller";
import { randomToken, sha256Hex } from "../crypto";
import { runningJob } from "../jobs/runner";
import { OUTBOX_JOB } from "../mail/outbox";
import { renderEmail } from "../mail/templates";
import type { Partner } from "../partners/lookup";
import { REFRESH_TTL_SECONDS, type StoredTokens } from "../tokens/refresh-tokens";
import { WEBHOOK_JOB } from "../webhooks/deliveries";
import { webhookEventsFor, type AuditedChange } from "../webhooks/events";
import { codeExpiry, newCode } from "./code-lifecycle";
import type { NewClient } from "./create-client";
import { codeHashFor, confirmationLink } from "./email-confirmation";

/**
 * A white-label registration's rows, written by one prepared statement:
 * the client, its CHECKING account, the email confirmation and its email
 * (when the email is still to be confirmed), the audit event, the webhook
 * messages of the partner's endpoints that want `client.registered`, and
 * the first refresh token. Data-modifying CTEs all hang off the client's
 * insert, so an email already registered with the partner (the unique index
 * decides, as for concurrent registrations) writes nothing at all; and one
 * statement is one transaction, so the rows exist together or not at all.
 *
 * It is what insertClientWithAccount, openEmailConfirmation, recordAudit
 * and storeRefreshToken write one statement each, in one round trip instead
 * of nine (docs/benchmarks.md, "Where the time goes"). The values that are
 * not the database's to make (the client's id, the code and link token,
 * the rendered email, the webhook events' bodies) are made here first, with
 * the same functions those use.
 */
const STATEMENT = `
with c as (
  insert into clients (id, partner_id, email, password_hash, first_name, last_name, country_code, birth_date,
    referral_code, terms_agreed_at, postal_code, state, address1, address2, device_type, email_confirmed_at,
    verification_status, verification_level, created_via, created_by_staff_id)
  values ($1::uuid, $2::int, $3::text, $4::text, $5::text, $6::text, $7::text, $8::date, $9::text,
    $10::timestamptz, $11::text, $12::text, $13::text, $14::text, $15::text, $16::timestamptz,
    $17::verification_status, $18::smallint, $19::client_origin, $20::uuid)
  on conflict do nothing
  returning id
), a as (
  insert into accounts (partner_id, client_id, type, currency)
  select $2::int, c.id, 'CHECKING', $21::text from c
), ec as (
  insert into email_confirmations (client_id, partner_id, code_hash, link_token_hash, expires_at, last_sent_at)
  select c.id, $2::int, $22::text, $23::text, $24::timestamptz, $10::timestamptz from c where $22::text is not null
), ob as (
  insert into email_outbox (template, to_address, subject, text_body, html_body, partner_id, client_id)
  select 'email_confirmation', $3::text, $25::text, $26::text, $27::text, $2::int, c.id from c where $22::text is not null
), au as (
  insert into audit_events (actor_type, actor_id, action, entity_type, entity_id, partner_id, after, ip, request_id)
  select $28::actor_type, $29::text, 'client.register', 'client', c.id::text, $2::int, $30::jsonb, $31::text, $32::text
  from c
), wm as (
  insert into webhook_messages (id, endpoint_id, partner_id, event_type, payload, client_id, created_at, next_attempt_at)
  select 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, $2::int, ev->>'type',
    jsonb_build_object('type', ev->>'type', 'timestamp', $33::text, 'data', ev->'data'), c.id, clock_timestamp(),
    $33::text::timestamptz
  from c
  cross join jsonb_array_elements($34::jsonb) ev
  join webhook_endpoints e on e.partner_id = $2::int and e.enabled and e.removed_at is null
    and (cardinality(e.event_types) = 0 or ev->>'type' = any(e.event_types))
  returning 1
), rt as (
  insert into refresh_tokens (family_id, client_id, partner_id, token_hash, flavour, expires_at, ip, user_agent)
  select $35::uuid, c.id, $2::int, $36::text, 'white_label', $37::timestamptz, $31::text, $38::text from c
)
select (select count(*) from c)::int as created, (select count(*) from wm)::int as webhooks`;

// The embedded database serves every connection from one session: a second connection preparing the same name
// is refused (42P05) before anything runs. From then on this process sends the statement unnamed.
let sharedSession = false;

async function runPrepared(o: { values: unknown[] }) {
  const query = (name?: string) =>
    getPool().query<{ created: number; webhooks: number }>({ name, text: STATEMENT, values: o.values });
  if (sharedSession) return query();
  try {
    return await query("register_white_label_client");
  } catch (error) {
    if ((error as { code?: string }).code !== "42P05") throw error;
    sharedSession = true;
    return query();
  }
}

export interface WhiteLabelRows {
  caller: Caller;
  partner: Partner;
  client: Omit<NewClient, "id" | "partnerId">;
  /** What the audit event records of the registration. */
  audited: Record<string, unknown>;
  accessTtlSeconds: number;
}

/** Writes the registration; undefined when the email is already registered with the partner. */
export async function insertWhiteLabelRegistration(o: WhiteLabelRows): Promise<StoredTokens | undefined> {
  const { caller, partner, client } = o;
  const clientId = randomUUID();
  const now = client.termsAgreedAt ?? new Date();
  const confirming = client.emailConfirmedAt === null || client.emailConfirmedAt === undefined;
  let confirmation: [string, string, Date, string, string, string] | [null, null, null, null, null, null] = [
    null,
    null,
    null,
    null,
    null,
    null,
  ];
  if (confirming) {
    const code = newCode(partner);
    const token = randomToken(32);
    const link = await confirmationLink(undefined, partner, token);
    const email = renderEmail("email_confirmation", { partnerName: partner.name, code, link });
    confirmation = [
      codeHashFor(clientId, code),
      sha256Hex(token),
      codeExpiry(now),
      email.subject,
      email.text,
      email.html,
    ];
  }
  const audit: AuditedChange = {
    action: "client.register",
    entityType: "client",
    entityId: clientId,
    partnerId: partner.id,
    after: o.audited,
  };
  const events = webhookEventsFor(audit).map((e) => ({ type: e.type, data: e.data }));
  const { actor } = caller;
  const refreshToken = randomToken(48);
  const result = await runPrepared({
    values: [
      clientId,
      partner.id,
      client.email,
      client.passwordHash,
      client.firstName ?? null,
      client.lastName ?? null,
      client.countryCode ?? null,
      client.birthDate ?? null,
      client.referralCode ?? null,
      now,
      client.postalCode ?? null,
      client.state ?? null,
      client.address1 ?? null,
      client.address2 ?? null,
      client.deviceType ?? null,
      client.emailConfirmedAt ?? null,
      client.verificationStatus ?? "not_verified",
      client.verificationLevel ?? 0,
      client.createdVia,
      client.createdByStaffId ?? null,
      partner.defaultCurrency,
      ...confirmation,
      actor.type,
      "id" in actor ? (actor.id ?? null) : null,
      JSON.stringify(o.audited),
      caller.ip ?? null,
      caller.requestId ?? null,
      now.toISOString(),
      JSON.stringify(events),
      randomUUID(),
      sha256Hex(refreshToken),
      new Date(now.getTime() + REFRESH_TTL_SECONDS * 1000),
      caller.userAgent?.slice(0, 300) ?? null,
    ],
  });
  const row = result.rows[0]!;
  if (row.created === 0) return undefined;
  // Committed: the workers of this instance look now rather than at their next tick.
  if (confirming) runningJob(OUTBOX_JOB)?.wake();
  if (row.webhooks > 0) runningJob(WEBHOOK_JOB)?.wake();
  return {
    refreshToken,
    subject: {
      id: clientId,
      partnerId: partner.id,
      email: client.email,
      countryCode: client.countryCode ?? null,
      userType: "CUSTOMER",
    },
    accessTtlSeconds: o.accessTtlSeconds,
  };
}
