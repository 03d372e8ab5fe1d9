import { and, desc, eq, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import {
  auditEvents,
  clients,
  ledgerEntries,
  ledgerTransactions,
  partners,
  refreshTokens,
  staffUsers,
} from "../../db/schema";
import { listClientAccounts } from "../accounts/accounts";
import { formatMinor } from "../billing/money";
import { inScope } from "../auth/policies";
import { scopeOf, type Caller } from "../caller";
import { AppError } from "../errors";
import type { ClientTarget } from "./schemas";

const LEDGER_ENTRIES_SHOWN = 50;
const SESSIONS_SHOWN = 100;
const AUDIT_EVENTS_SHOWN = 100;

async function findClientProfile(clientId: string) {
  const [row] = await getDb()
    .select({
      id: clients.id,
      email: clients.email,
      userType: clients.userType,
      firstName: clients.firstName,
      lastName: clients.lastName,
      countryCode: clients.countryCode,
      birthDate: clients.birthDate,
      referralCode: clients.referralCode,
      termsAgreedAt: clients.termsAgreedAt,
      postalCode: clients.postalCode,
      addressState: clients.state,
      address1: clients.address1,
      address2: clients.address2,
      deviceType: clients.deviceType,
      profileState: clients.profileState,
      emailConfirmedAt: clients.emailConfirmedAt,
      verificationStatus: clients.verificationStatus,
      verificationLevel: clients.verificationLevel,
      createdVia: clients.createdVia,
      createdByStaffId: clients.createdByStaffId,
      createdAt: clients.createdAt,
      updatedAt: clients.updatedAt,
      partnerId: partners.id,
      partnerName: partners.name,
    })
    .from(clients)
    .innerJoin(partners, eq(partners.id, clients.partnerId))
    .where(eq(clients.id, clientId));
  return row;
}

async function listLedgerEntries(accountId: string) {
  const rows = await getDb()
    .select({
      id: ledgerEntries.id,
      transactionId: ledgerEntries.transactionId,
      kind: ledgerTransactions.kind,
      description: ledgerTransactions.description,
      amountMinor: ledgerEntries.amountMinor,
      currency: ledgerEntries.currency,
      createdAt: ledgerEntries.createdAt,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .where(eq(ledgerEntries.accountId, accountId))
    .orderBy(desc(ledgerEntries.id))
    .limit(LEDGER_ENTRIES_SHOWN);
  return rows.map(({ amountMinor, ...r }) => ({ ...r, amount: formatMinor(amountMinor) }));
}

/**
 * A client's sessions, one per refresh-token family (each rotation adds a
 * token to the family). The newest token says where the session was last
 * used from and whether it has ended; token hashes are never read.
 */
async function listSessions(clientId: string) {
  const newest = <T>(column: unknown) => sql<T>`(array_agg(${column} order by ${refreshTokens.createdAt} desc))[1]`;
  const rows = await getDb()
    .select({
      familyId: refreshTokens.familyId,
      flavour: newest<string>(refreshTokens.flavour),
      startedAt: sql`min(${refreshTokens.createdAt})`.mapWith(refreshTokens.createdAt),
      lastRotatedAt: sql`max(${refreshTokens.rotatedAt})`.mapWith(refreshTokens.rotatedAt),
      expiresAt: sql`max(${refreshTokens.expiresAt})`.mapWith(refreshTokens.expiresAt),
      revokedAt: newest(refreshTokens.revokedAt).mapWith(refreshTokens.revokedAt),
      revokedReason: newest<string | null>(refreshTokens.revokedReason),
      ip: newest<string | null>(refreshTokens.ip),
      userAgent: newest<string | null>(refreshTokens.userAgent),
      tokens: sql<number>`count(*)::int`,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.clientId, clientId))
    .groupBy(refreshTokens.familyId)
    .orderBy(sql`max(${refreshTokens.createdAt}) desc`)
    .limit(SESSIONS_SHOWN);
  const now = Date.now();
  return rows.map((r) => ({
    ...r,
    status: r.revokedAt
      ? ("revoked" as const)
      : r.expiresAt.getTime() <= now
        ? ("expired" as const)
        : ("active" as const),
  }));
}

async function listClientAudit(clientId: string) {
  return getDb()
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      actorName: staffUsers.name,
      actorEmail: staffUsers.email,
      action: auditEvents.action,
      before: auditEvents.before,
      after: auditEvents.after,
      ip: auditEvents.ip,
    })
    .from(auditEvents)
    .leftJoin(staffUsers, and(eq(auditEvents.actorType, "staff"), eq(sql`${staffUsers.id}::text`, auditEvents.actorId)))
    .where(and(eq(auditEvents.entityType, "client"), eq(auditEvents.entityId, clientId)))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(AUDIT_EVENTS_SHOWN);
}

/**
 * Everything the client page shows. A client outside the staff member's
 * partners answers not_found, exactly like an unknown id.
 */
export async function getClientDetail(caller: Caller, input: ClientTarget) {
  const row = await findClientProfile(input.id);
  if (!row || !inScope(scopeOf(caller), row.partnerId)) throw new AppError("not_found", "No such client");
  const {
    partnerId,
    partnerName,
    profileState,
    verificationStatus,
    verificationLevel,
    postalCode,
    addressState,
    address1,
    address2,
    ...profile
  } = row;
  const [accountList, sessions, audit] = await Promise.all([
    listClientAccounts(getDb(), row.id),
    listSessions(row.id),
    listClientAudit(row.id),
  ]);
  const accounts = await Promise.all(accountList.map(async (a) => ({ ...a, entries: await listLedgerEntries(a.id) })));
  return {
    profile: { ...profile, address: { postalCode, state: addressState, address1, address2 } },
    partner: { id: partnerId, name: partnerName },
    profileState,
    verification: { status: verificationStatus, level: verificationLevel },
    accounts,
    sessions,
    audit,
  };
}
