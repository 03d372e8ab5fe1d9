import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { GET as exportClients } from "../../app/api/clients/export/route";
import { getDb } from "../../db/client";
import { getStaffSession } from "../../server/auth/session";
import {
  accounts,
  auditEvents,
  clients,
  ledgerEntries,
  ledgerTransactions,
  partners,
  refreshTokens,
} from "../../db/schema";
import { callerAs, systemCaller, type Caller } from "../../server/caller";
import { streamClientsCsv, recordClientExport } from "../../server/clients/export";
import { clientFiltersSchema, type ClientFiltersInput } from "../../server/clients/schemas";
import { whiteLabelRegistrationSchema } from "../../server/registration/schemas";
import { registerWhiteLabelClient } from "../../server/registration/white-label-registration";
import { WHITE_LABEL_ACCESS_TTL_SECONDS } from "../../server/tokens/access-token";
import { rotateRefreshToken, storeRefreshToken } from "../../server/tokens/refresh-tokens";
import { createTestPartner, whiteLabelBody, type TestPartner } from "../support/api";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

// The export route reads the next-auth session; here the test says who is signed in.
vi.mock("../../server/auth/session", () => ({ getStaffSession: vi.fn() }));

/** A token no other test uses, safe to search for across the shared database. */
const uniqueTag = () => `t${randomBytes(5).toString("hex")}`;

interface TestClient {
  id: string;
  email: string;
  refreshToken: string;
}

/** The system from a known address and browser: registers with master-key powers (verification fields allowed). */
const registrar: Caller = callerAs(
  { ...anonymousCaller({ ip: "203.0.113.7" }), userAgent: "vitest" },
  { type: "system", id: "test" },
);

/** A client registered through the white-label service with master-key powers. */
async function makeClient(partner: TestPartner, overrides: Record<string, unknown> = {}): Promise<TestClient> {
  const input = whiteLabelRegistrationSchema.parse(whiteLabelBody(overrides));
  const issued = await registerWhiteLabelClient(registrar, { partner, input });
  return { id: issued.clientId, email: input.email, refreshToken: issued.refreshToken };
}

async function setCreatedAt(ids: string[], at: string) {
  await getDb()
    .update(clients)
    .set({ createdAt: sql`${at}::timestamptz` })
    .where(inArray(clients.id, ids));
}

async function listIds(
  staff: Awaited<ReturnType<typeof createTestStaff>>,
  input: ClientFiltersInput & { limit?: number },
) {
  const page = await callerFor(staff).client.list(input);
  return page.items.map((c) => c.id);
}

/** Every page of a list, following nextCursor to the end. */
async function walk(staff: Awaited<ReturnType<typeof createTestStaff>>, input: ClientFiltersInput, limit: number) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ id: string }>; nextCursor: string | null } = await callerFor(staff).client.list({
      ...input,
      limit,
      cursor,
    });
    pages.push(page.items.map((c) => c.id));
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}

async function auditFor(clientId: string, action: string) {
  return getDb()
    .select({
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      partnerId: auditEvents.partnerId,
      before: auditEvents.before,
      after: auditEvents.after,
      ip: auditEvents.ip,
    })
    .from(auditEvents)
    .where(
      and(eq(auditEvents.entityType, "client"), eq(auditEvents.entityId, clientId), eq(auditEvents.action, action)),
    )
    .orderBy(desc(auditEvents.id));
}

/** A strict RFC 4180 reader, so the test checks the bytes a spreadsheet would read. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  expect(cell === "" && row.length === 0, "the CSV ends with CRLF").toBe(true);
  return rows;
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe("back office: client list", () => {
  it("searches by email prefix (case-insensitive, wildcards taken literally) and by first name, full name and last name prefix", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    const tag = uniqueTag();
    const ann = await makeClient(partner, {
      email: `${tag}-ann@example.test`,
      firstName: `Ann${tag}`,
      lastName: `Zed${tag}`,
    });
    const bob = await makeClient(partner, {
      email: `bob-${tag}@example.test`,
      firstName: "Bob",
      lastName: `Young${tag}`,
    });

    expect(await listIds(ops, { q: tag.toUpperCase() })).toEqual([ann.id]);
    expect(await listIds(ops, { q: `  ${tag}-AN ` })).toEqual([ann.id]);
    expect(await listIds(ops, { q: `ann${tag}` })).toEqual([ann.id]);
    expect(await listIds(ops, { q: `Ann${tag} ze` })).toEqual([ann.id]);
    expect(await listIds(ops, { q: `zed${tag}` })).toEqual([ann.id]);
    expect(await listIds(ops, { q: `young${tag}` })).toEqual([bob.id]);
    expect(await listIds(ops, { q: `bob-${tag}` })).toEqual([bob.id]);
    // Prefix only: the middle of an email or a name does not match.
    expect(await listIds(ops, { q: `-${tag}`, partnerId: partner.id })).toEqual([]);
    // "_" and "%" are literal, not LIKE wildcards.
    expect(await listIds(ops, { q: `${tag}_ann` })).toEqual([]);
    expect(await listIds(ops, { q: `${tag}%` })).toEqual([]);
    expect(await listIds(ops, { q: "", partnerId: partner.id, sort: "email_asc" })).toEqual([bob.id, ann.id]);
  });

  it("filters by partner, state, verification status and level, country and created date", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    const other = await createTestPartner();
    const lv = await makeClient(partner, { countryCode: "LV", verificationStatus: "identified", verificationLevel: 3 });
    const de = await makeClient(partner, { countryCode: "DE" });
    const blocked = await makeClient(partner, {
      countryCode: "LV",
      verificationStatus: "email_verified",
      verificationLevel: 1,
    });
    const old = await makeClient(partner, { countryCode: "EE" });
    const elsewhere = await makeClient(other, {
      countryCode: "LV",
      verificationStatus: "identified",
      verificationLevel: 3,
    });
    await getDb().update(clients).set({ profileState: "blocked" }).where(eq(clients.id, blocked.id));
    await setCreatedAt([old.id], "2020-01-15T23:59:59.999999Z");

    const p = { partnerId: partner.id };
    expect(new Set(await listIds(ops, p))).toEqual(new Set([lv.id, de.id, blocked.id, old.id]));
    expect(await listIds(ops, { partnerId: other.id })).toEqual([elsewhere.id]);
    expect(await listIds(ops, { ...p, state: "blocked" })).toEqual([blocked.id]);
    expect(new Set(await listIds(ops, { ...p, state: "active" }))).toEqual(new Set([lv.id, de.id, old.id]));
    expect(await listIds(ops, { ...p, verificationStatus: "identified" })).toEqual([lv.id]);
    expect(await listIds(ops, { ...p, verificationLevel: 1 })).toEqual([blocked.id]);
    expect(await listIds(ops, { ...p, countryCode: "de" })).toEqual([de.id]);
    expect(new Set(await listIds(ops, { ...p, countryCode: "LV" }))).toEqual(new Set([lv.id, blocked.id]));
    expect(await listIds(ops, { ...p, countryCode: "LV", state: "active", verificationLevel: 3 })).toEqual([lv.id]);
    // Dates are whole UTC days, both ends inclusive.
    expect(await listIds(ops, { ...p, createdFrom: "2020-01-15", createdTo: "2020-01-15" })).toEqual([old.id]);
    expect(await listIds(ops, { ...p, createdTo: "2020-01-14" })).toEqual([]);
    expect(new Set(await listIds(ops, { ...p, createdFrom: "2020-01-16", state: "active" }))).toEqual(
      new Set([lv.id, de.id]),
    );
    // The list shows display columns only.
    const [item] = (await callerFor(ops).client.list({ ...p, verificationStatus: "identified" })).items;
    expect(Object.keys(item!).sort()).toEqual([
      "countryCode",
      "createdAt",
      "createdVia",
      "email",
      "firstName",
      "id",
      "lastName",
      "partnerId",
      "partnerName",
      "profileState",
      "updatedAt",
      "verificationLevel",
      "verificationStatus",
    ]);
    expect(item).toMatchObject({
      id: lv.id,
      email: lv.email,
      partnerId: partner.id,
      partnerName: partner.name,
      profileState: "active",
      verificationStatus: "identified",
      verificationLevel: 3,
      countryCode: "LV",
      createdVia: "white_label_api",
    });

    await expect(
      callerFor(ops).client.list({ ...p, createdFrom: "2020-02-01", createdTo: "2020-01-01" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(callerFor(ops).client.list({ ...p, countryCode: "XX" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("sorts by creation date (newest or oldest first) and by email, case-insensitively", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    const tag = uniqueTag();
    const b = await makeClient(partner, { email: `b-${tag}@example.test` });
    const a = await makeClient(partner, { email: `A-${tag}@example.test` });
    const c = await makeClient(partner, { email: `c-${tag}@example.test` });
    await setCreatedAt([a.id], "2021-01-03T00:00:00Z");
    await setCreatedAt([b.id], "2021-01-01T00:00:00Z");
    await setCreatedAt([c.id], "2021-01-02T00:00:00Z");
    const p = { partnerId: partner.id };
    expect(await listIds(ops, p)).toEqual([a.id, c.id, b.id]);
    expect(await listIds(ops, { ...p, sort: "created_desc" })).toEqual([a.id, c.id, b.id]);
    expect(await listIds(ops, { ...p, sort: "created_asc" })).toEqual([b.id, c.id, a.id]);
    expect(await listIds(ops, { ...p, sort: "email_asc" })).toEqual([a.id, b.id, c.id]);
  });

  it("keyset pagination walks every row exactly once in each sort order, even when creation times tie to the microsecond", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    const made: TestClient[] = [];
    for (let i = 0; i < 23; i++) made.push(await makeClient(partner));
    // Groups of rows created in the same instant, and instants apart by less than a millisecond.
    const micros = made.map((_, i) => (i % 4) * 250);
    for (const [i, client] of made.entries()) {
      await setCreatedAt([client.id], `2021-06-01T12:00:00.${String(micros[i]).padStart(6, "0")}Z`);
    }
    const byCreated = made
      .map((c, i) => ({ id: c.id, key: micros[i]!, email: c.email.toLowerCase() }))
      .sort((x, y) => x.key - y.key || (x.id < y.id ? -1 : 1));
    const expected = {
      created_asc: byCreated.map((c) => c.id),
      created_desc: [...byCreated].reverse().map((c) => c.id),
      email_asc: [...byCreated].sort((x, y) => (x.email < y.email ? -1 : 1)).map((c) => c.id),
    } as const;

    for (const sort of ["created_desc", "created_asc", "email_asc"] as const) {
      const pages = await walk(ops, { partnerId: partner.id, sort }, 5);
      expect(
        pages.map((page) => page.length),
        sort,
      ).toEqual([5, 5, 5, 5, 3]);
      const ids = pages.flat();
      expect(new Set(ids).size, sort).toBe(23);
      expect(ids, sort).toEqual(expected[sort]);
    }
    // A page size that divides the rows exactly ends without an empty extra page.
    expect((await walk(ops, { partnerId: partner.id }, 23)).map((p) => p.length)).toEqual([23]);
  });

  it("refuses a cursor from another sort order or one that was tampered with", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    await makeClient(partner);
    await makeClient(partner);
    const first = await callerFor(ops).client.list({ partnerId: partner.id, limit: 1 });
    expect(first.nextCursor).toEqual(expect.any(String));
    await expect(
      callerFor(ops).client.list({ partnerId: partner.id, limit: 1, sort: "email_asc", cursor: first.nextCursor }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      callerFor(ops).client.list({ partnerId: partner.id, limit: 1, cursor: "not-a-cursor" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const forged = Buffer.from(
      JSON.stringify({
        s: "created_desc",
        k: "now'); drop table clients; --",
        id: "00000000-0000-4000-8000-000000000000",
      }),
    ).toString("base64url");
    await expect(callerFor(ops).client.list({ partnerId: partner.id, cursor: forged })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("back office: what a KAM may see and do", () => {
  it("a KAM lists and opens only the clients of partners they own, gets NOT_FOUND for any other, and cannot change a client", async () => {
    const kam = await createTestStaff("kam");
    const owned = await createTestPartner();
    const foreign = await createTestPartner();
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, owned.id));
    const mine = await makeClient(owned);
    const theirs = await makeClient(foreign);

    expect(await listIds(kam, {})).toEqual([mine.id]);
    expect(await listIds(kam, { partnerId: foreign.id })).toEqual([]);
    expect(await listIds(kam, { q: theirs.email })).toEqual([]);
    expect((await callerFor(kam).client.get({ id: mine.id })).profile.id).toBe(mine.id);
    await expect(callerFor(kam).client.get({ id: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(kam).client.get({ id: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });

    await expect(
      callerFor(kam).client.setState({ clientId: mine.id, state: "blocked", reason: "fraud suspected" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      callerFor(kam).client.setVerification({
        clientId: mine.id,
        verificationStatus: "identified",
        verificationLevel: 2,
        reason: "checked",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(kam).client.revokeSession({ clientId: mine.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const [row] = await getDb().select({ state: clients.profileState }).from(clients).where(eq(clients.id, mine.id));
    expect(row?.state).toBe("active");

    const csv = parseCsv(
      (await collect(streamClientsCsv(await staffCaller(kam), clientFiltersSchema.parse({})))).join(""),
    );
    expect(csv.slice(1).map((r) => r[0])).toEqual([mine.id]);
  });

  it("a KAM who owns no partner sees no clients, and nobody signed out reaches the list", async () => {
    const kam = await createTestStaff("kam");
    expect(await listIds(kam, {})).toEqual([]);
    await expect(callerFor(undefined).client.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("back office: changing a client", () => {
  it("blocking ends every session and writes an audit event with before, after, reason, actor and IP; repeating it is refused", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    const client = await makeClient(partner);

    const result = await callerFor(ops).client.setState({
      clientId: client.id,
      state: "blocked",
      reason: "  Chargeback fraud  ",
    });
    expect(result).toEqual({ id: client.id, profileState: "blocked", sessionsRevoked: 1 });
    const open = await getDb()
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.clientId, client.id), isNull(refreshTokens.revokedAt)));
    expect(open).toEqual([]);
    // The token was revoked, not merely refused because of the client's state.
    await expect(
      rotateRefreshToken(anonymousCaller(), {
        refreshToken: client.refreshToken,
        flavour: "white_label",
        accessTtlSeconds: 60,
      }),
    ).rejects.toMatchObject({ code: "refresh_token_invalid" });

    const [event] = await auditFor(client.id, "client.state_changed");
    expect(event).toEqual({
      actorType: "staff",
      actorId: ops.id,
      partnerId: partner.id,
      before: { state: "active" },
      after: { state: "blocked", reason: "Chargeback fraud", sessionsRevoked: 1 },
      ip: "127.0.0.1",
    });

    await expect(
      callerFor(ops).client.setState({ clientId: client.id, state: "blocked", reason: "again" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "The client is already blocked",
      cause: { fields: [{ path: "state", message: "The client is already blocked" }] },
    });
    expect(await auditFor(client.id, "client.state_changed")).toHaveLength(1);

    const reactivated = await callerFor(ops).client.setState({
      clientId: client.id,
      state: "active",
      reason: "Cleared by compliance",
    });
    expect(reactivated.sessionsRevoked).toBe(0);
    const detail = await callerFor(ops).client.get({ id: client.id });
    expect(detail.profileState).toBe("active");
    expect(detail.audit.slice(0, 2).map((e) => [e.action, e.actorEmail])).toEqual([
      ["client.state_changed", ops.email],
      ["client.state_changed", ops.email],
    ]);
    expect(detail.sessions.map((s) => s.status)).toEqual(["revoked"]);
  });

  it("suspending also ends sessions; a reason is required", async () => {
    const admin = await createTestStaff("admin");
    const partner = await createTestPartner();
    const client = await makeClient(partner);
    await expect(
      callerFor(admin).client.setState({ clientId: client.id, state: "suspended", reason: " x " }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { issues: [expect.objectContaining({ path: ["reason"] })] },
    });
    expect(
      (
        await callerFor(admin).client.setState({
          clientId: client.id,
          state: "suspended",
          reason: "KYC documents expired",
        })
      ).sessionsRevoked,
    ).toBe(1);
  });

  it("a verification change is audited with its reason, and a change to the same values is refused", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    const client = await makeClient(partner, { verificationStatus: "email_verified", verificationLevel: 1 });

    const changed = await callerFor(ops).client.setVerification({
      clientId: client.id,
      verificationStatus: "identified",
      verificationLevel: 3,
      reason: "Passport checked in branch",
    });
    expect(changed).toEqual({ id: client.id, verificationStatus: "identified", verificationLevel: 3 });
    const [row] = await getDb()
      .select({ status: clients.verificationStatus, level: clients.verificationLevel })
      .from(clients)
      .where(eq(clients.id, client.id));
    expect(row).toEqual({ status: "identified", level: 3 });
    const [event] = await auditFor(client.id, "client.verification_changed");
    expect(event).toMatchObject({
      actorType: "staff",
      actorId: ops.id,
      before: { verificationStatus: "email_verified", verificationLevel: 1 },
      after: { verificationStatus: "identified", verificationLevel: 3, reason: "Passport checked in branch" },
      ip: "127.0.0.1",
    });
    await expect(
      callerFor(ops).client.setVerification({
        clientId: client.id,
        verificationStatus: "identified",
        verificationLevel: 3,
        reason: "again",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      callerFor(ops).client.setVerification({
        clientId: client.id,
        verificationStatus: "identified",
        verificationLevel: 6,
        reason: "too high",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await auditFor(client.id, "client.verification_changed")).toHaveLength(1);
  });

  it("revoking one session ends only that one; revoking it again, or a session of another client, is refused", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner();
    const client = await makeClient(partner);
    const stranger = await makeClient(partner);
    await storeRefreshToken(
      getDb(),
      { ...anonymousCaller({ ip: "198.51.100.1" }), userAgent: "second device" },
      {
        subject: { id: client.id, partnerId: partner.id, email: client.email, countryCode: "LV", userType: "CUSTOMER" },
        flavour: "white_label",
        accessTtlSeconds: WHITE_LABEL_ACCESS_TTL_SECONDS,
      },
    );
    const before = await callerFor(ops).client.get({ id: client.id });
    expect(before.sessions).toHaveLength(2);
    const target = before.sessions.find((s) => s.userAgent === "second device")!;
    expect(target).toMatchObject({
      status: "active",
      ip: "198.51.100.1",
      tokens: 1,
      lastRotatedAt: null,
      startedAt: expect.any(Date),
    });

    expect(await callerFor(ops).client.revokeSession({ clientId: client.id, familyId: target.familyId })).toEqual({
      id: client.id,
      familyId: target.familyId,
      tokensRevoked: 1,
    });
    const after = await callerFor(ops).client.get({ id: client.id });
    expect(Object.fromEntries(after.sessions.map((s) => [s.userAgent, s.status]))).toEqual({
      "second device": "revoked",
      vitest: "active",
    });
    const [event] = await auditFor(client.id, "client.session_revoked");
    expect(event?.after).toEqual({ familyId: target.familyId, tokensRevoked: 1 });

    await expect(
      callerFor(ops).client.revokeSession({ clientId: client.id, familyId: target.familyId }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    const strangerFamily = (await callerFor(ops).client.get({ id: stranger.id })).sessions[0]!.familyId;
    await expect(
      callerFor(ops).client.revokeSession({ clientId: client.id, familyId: strangerFamily }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await callerFor(ops).client.revokeSession({ clientId: client.id })).tokensRevoked).toBe(1);
    await expect(callerFor(ops).client.revokeSession({ clientId: client.id })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });
});

describe("back office: client page", () => {
  it("shows the profile without secrets, the partner, accounts with balance and ledger entries, and the audit trail", async () => {
    const ops = await createTestStaff("operations");
    const partner = await createTestPartner({ defaultCurrency: "USD" });
    const client = await makeClient(partner, {
      firstName: "Jane",
      lastName: "Roe",
      postalCode: "LV-1010",
      address1: "Brivibas 1",
    });
    const db = getDb();
    const [account] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.clientId, client.id));
    const [funding] = await db
      .insert(accounts)
      .values({ partnerId: partner.id, type: "SYSTEM", systemCode: "test_funding", currency: "USD" })
      .returning({ id: accounts.id });
    const [txn] = await db
      .insert(ledgerTransactions)
      .values({ kind: "test_topup", description: "Top-up for the test" })
      .returning({ id: ledgerTransactions.id });
    await db.insert(ledgerEntries).values([
      { transactionId: txn!.id, accountId: account!.id, amountMinor: 12_345n, currency: "USD" },
      { transactionId: txn!.id, accountId: funding!.id, amountMinor: -12_345n, currency: "USD" },
    ]);

    const detail = await callerFor(ops).client.get({ id: client.id });
    expect(detail.profile).toMatchObject({
      id: client.id,
      email: client.email,
      firstName: "Jane",
      lastName: "Roe",
      countryCode: "LV",
      createdVia: "white_label_api",
      address: { postalCode: "LV-1010", address1: "Brivibas 1", state: null },
    });
    expect(detail.partner).toEqual({ id: partner.id, name: partner.name });
    expect(detail.verification).toEqual({ status: "not_verified", level: 0 });
    expect(detail.accounts).toEqual([
      {
        id: account!.id,
        type: "CHECKING",
        currency: "USD",
        balance: "123.45",
        entries: [
          {
            id: expect.any(Number),
            transactionId: txn!.id,
            kind: "test_topup",
            description: "Top-up for the test",
            amount: "123.45",
            currency: "USD",
            createdAt: expect.any(Date),
          },
        ],
      },
    ]);
    expect(detail.sessions).toEqual([
      expect.objectContaining({ status: "active", ip: "203.0.113.7", userAgent: "vitest", flavour: "white_label" }),
    ]);
    expect(detail.audit.map((e) => e.action)).toContain("client.register");
    const serialised = JSON.stringify(detail);
    expect(serialised).not.toMatch(/passwordHash|password_hash|tokenHash|\$argon2/);
  });
});

describe("back office: CSV export", () => {
  it("streams every matching row page by page, quoting commas, quotes and newlines and neutralising formulas", async () => {
    const partner = await createTestPartner();
    const plain = await makeClient(partner, { firstName: "Plain", lastName: "Person" });
    const formula = await makeClient(partner, {
      firstName: '=HYPERLINK("http://evil.test","x")',
      lastName: "Smith, Jr.",
    });
    const others = [
      await makeClient(partner, { firstName: "+1 555", lastName: "-2+3" }),
      await makeClient(partner, { firstName: "@SUM(A1)", lastName: "Ok" }),
    ];
    const multiline = await makeClient(partner);
    const tabbed = await makeClient(partner);
    const quoted = await makeClient(partner, { firstName: 'Say "hi"', lastName: "O'Brien" });
    await getDb()
      .update(clients)
      .set({ firstName: "Line one\nLine two", lastName: "\r=cmd" })
      .where(eq(clients.id, multiline.id));
    await getDb().update(clients).set({ firstName: "\tTabbed" }).where(eq(clients.id, tabbed.id));
    const all = [plain, formula, ...others, multiline, tabbed, quoted];

    const everyPartner = systemCaller("test");
    const chunks = await collect(
      streamClientsCsv(everyPartner, clientFiltersSchema.parse({ partnerId: partner.id, sort: "created_asc" }), {
        pageSize: 3,
      }),
    );
    // The header, then one chunk per page of three: nothing is read ahead or capped.
    expect(chunks).toHaveLength(1 + 3);
    const text = chunks.join("");
    expect(text).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")","Smith, Jr."`);
    expect(text).toContain(`"Say ""hi""",O'Brien`);

    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([
      "id",
      "email",
      "first_name",
      "last_name",
      "partner_id",
      "partner_name",
      "state",
      "verification_status",
      "verification_level",
      "country_code",
      "created_at",
      "created_via",
    ]);
    expect(rows.map((r) => r[0])).toEqual(all.map((c) => c.id));
    const byId = new Map(rows.map((r) => [r[0], r]));
    expect(byId.get(plain.id)).toEqual([
      plain.id,
      plain.email,
      "Plain",
      "Person",
      String(partner.id),
      partner.name,
      "active",
      "not_verified",
      "0",
      "LV",
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      "white_label_api",
    ]);
    expect(byId.get(formula.id)?.slice(2, 4)).toEqual([`'=HYPERLINK("http://evil.test","x")`, "Smith, Jr."]);
    expect(byId.get(others[0]!.id)?.slice(2, 4)).toEqual(["'+1 555", "'-2+3"]);
    expect(byId.get(others[1]!.id)?.slice(2, 4)).toEqual(["'@SUM(A1)", "Ok"]);
    expect(byId.get(multiline.id)?.slice(2, 4)).toEqual(["Line one\nLine two", "'\r=cmd"]);
    expect(byId.get(tabbed.id)?.[2]).toBe("'\tTabbed");

    const filtered = parseCsv(
      (
        await collect(streamClientsCsv(everyPartner, clientFiltersSchema.parse({ partnerId: partner.id, q: "plain" })))
      ).join(""),
    );
    expect(filtered.slice(1).map((r) => r[0])).toEqual([plain.id]);
    // A caller who may see no partner (nobody signed in) gets the header alone.
    const none = await collect(
      streamClientsCsv(anonymousCaller(), clientFiltersSchema.parse({ partnerId: partner.id })),
    );
    expect(none).toHaveLength(1);
  });

  it("an export is audited with its filters", async () => {
    const kam = await createTestStaff("kam");
    const requestId = `export-${uniqueTag()}`;
    // The filters as the export route parses them from the address.
    await recordClientExport(
      await staffCaller(kam, { ip: "192.0.2.9", requestId }),
      clientFiltersSchema.parse({ partnerId: "1234", state: "blocked", q: " ann " }),
    );
    const [event] = await getDb()
      .select({
        action: auditEvents.action,
        actorId: auditEvents.actorId,
        partnerId: auditEvents.partnerId,
        after: auditEvents.after,
        ip: auditEvents.ip,
      })
      .from(auditEvents)
      .where(eq(auditEvents.requestId, requestId));
    expect(event).toEqual({
      action: "client.export",
      actorId: kam.id,
      partnerId: 1234,
      after: { filters: { partnerId: 1234, state: "blocked", q: "ann", sort: "created_desc" } },
      ip: "192.0.2.9",
    });
  });

  it("GET /api/clients/export refuses anyone signed out, and streams a signed-in KAM's clients as an audited CSV attachment", async () => {
    vi.mocked(getStaffSession).mockResolvedValueOnce(undefined);
    const anonymous = await exportClients(new Request("http://gatehouse.test/api/clients/export"));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "unauthorized" } });

    const kam = await createTestStaff("kam");
    const owned = await createTestPartner();
    const foreign = await createTestPartner();
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, owned.id));
    const first = await makeClient(owned, { firstName: "=1+1" });
    const second = await makeClient(owned);
    await makeClient(foreign);
    await setCreatedAt([second.id], "2030-01-01T00:00:00Z");

    const requestId = `export-${uniqueTag()}`;
    vi.mocked(getStaffSession).mockResolvedValueOnce(kam);
    const res = await exportClients(
      new Request(`http://gatehouse.test/api/clients/export?state=&sort=created_asc&q=&partnerId=${owned.id}`, {
        headers: { "x-request-id": requestId },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="clients-\d{8}\.csv"$/);
    const rows = parseCsv(await res.text());
    expect(rows.slice(1).map((r) => [r[0], r[2]])).toEqual([
      [first.id, "'=1+1"],
      [second.id, "Test"],
    ]);
    const [event] = await getDb()
      .select({ action: auditEvents.action, actorId: auditEvents.actorId, after: auditEvents.after })
      .from(auditEvents)
      .where(eq(auditEvents.requestId, requestId));
    expect(event).toEqual({
      action: "client.export",
      actorId: kam.id,
      after: { filters: { partnerId: owned.id, sort: "created_asc" } },
    });

    vi.mocked(getStaffSession).mockResolvedValueOnce(kam);
    const theirs = await exportClients(new Request(`http://gatehouse.test/api/clients/export?partnerId=${foreign.id}`));
    expect(parseCsv(await theirs.text())).toHaveLength(1);

    vi.mocked(getStaffSession).mockResolvedValueOnce(kam);
    const invalid = await exportClients(new Request("http://gatehouse.test/api/clients/export?verificationLevel=9"));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({
      error: { code: "validation_failed", fields: [{ path: "verificationLevel" }] },
    });
  });
});
