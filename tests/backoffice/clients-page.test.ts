import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadMoreClients } from "../../app/(dashboard)/clients/load-more";
import { CLIENT_PAGE_SIZE, clientRows, clientsPageData, type ClientRow } from "../../app/(dashboard)/clients/rows";
import { getDb } from "../../db/client";
import { clients, partners } from "../../db/schema";
import { getStaffSession } from "../../server/auth/session";
import { seedClients } from "../../server/setup/demo-seed";
import { createTestPartner, type TestPartner } from "../support/api";
import { createTestStaff } from "../support/staff";

/*
 * The Clients page renders on the server through the server caller's
 * `client.list`: its data (first page, partner choices, refusals as values)
 * and its "Load more" server action, called here as the page calls them. Both
 * read the next-auth session, so the test says who is signed in, and the
 * request's headers, which it sets (there is no Next.js server here).
 */
vi.mock("../../server/auth/session", () => ({ getStaffSession: vi.fn() }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "user-agent": "vitest" }) }));
const signedIn = vi.mocked(getStaffSession);

const tag = `p${randomBytes(5).toString("hex")}`;
let kam: Awaited<ReturnType<typeof createTestStaff>>;
let operations: Awaited<ReturnType<typeof createTestStaff>>;
let own: TestPartner;
let foreign: TestPartner;
/** Every email of the own partner's clients, in the list's email order. */
let ownEmails: string[];

beforeAll(async () => {
  [kam, operations] = await Promise.all([createTestStaff("kam"), createTestStaff("operations")]);
  [own, foreign] = await Promise.all([
    createTestPartner({ name: `Own ${tag}` }),
    createTestPartner({ name: `Foreign ${tag}` }),
  ]);
  await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, own.id));
  // More than two pages for the KAM's partner, a few for the other; every email starts with the tag.
  await seedClients(getDb(), { count: 2 * CLIENT_PAGE_SIZE + 7, partnerId: own.id });
  await seedClients(getDb(), { count: 5, partnerId: foreign.id });
  await getDb().execute(
    sql`update ${clients} set email = ${tag} || '.' || email where partner_id in (${own.id}, ${foreign.id})`,
  );
  const rows = await getDb().execute<{ email: string }>(
    sql`select email from ${clients} where partner_id = ${own.id} order by lower(email) collate "C", id`,
  );
  ownEmails = rows.rows.map((r) => r.email);
});

const params = (filters: Record<string, string>) => new URLSearchParams(filters);

describe("the Clients page's data", () => {
  it("gives the first page as display rows, the partner choices in scope, and the form's filters", async () => {
    signedIn.mockResolvedValue(kam);
    const data = await clientsPageData(params({ q: `${tag}.`, sort: "email_asc", ignored: "x" }));
    expect(data.filters).toEqual({ q: `${tag}.`, sort: "email_asc" });
    expect(data.partners.map((p) => p.id)).toContain(own.id);
    expect(data.partners.map((p) => p.id)).not.toContain(foreign.id);
    expect(data.list.ok).toBe(true);
    if (!data.list.ok) return;
    expect(data.list.data.rows.map((r) => r.email)).toEqual(ownEmails.slice(0, CLIENT_PAGE_SIZE));
    expect(data.list.data.nextCursor).toEqual(expect.any(String));

    const [stored] = await getDb().select().from(clients).where(eq(clients.id, data.list.data.rows[0]!.id));
    const first: ClientRow = data.list.data.rows[0]!;
    expect(first).toEqual({
      id: stored!.id,
      email: stored!.email,
      name: [stored!.firstName, stored!.lastName].filter(Boolean).join(" "),
      partnerName: own.name,
      state: stored!.profileState,
      verification: stored!.verificationStatus,
      level: stored!.verificationLevel,
      countryCode: stored!.countryCode,
      created: expect.any(String),
      // The version a bulk action sends back: updated_at to the microsecond, as text.
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
    });
    // Written out in UTC, whatever the server's time zone: "4 Sept 2026, 05:24".
    const at = stored!.createdAt;
    const hhmm = at.toISOString().slice(11, 16);
    expect(first.created).toMatch(new RegExp(`^${at.getUTCDate()} [A-Z][a-z]{2,3} ${at.getUTCFullYear()}, ${hhmm}$`));
    // No hash, token or other column beyond what the table shows travels to the browser.
    expect(Object.keys(first).sort()).toEqual([
      "countryCode",
      "created",
      "email",
      "id",
      "level",
      "name",
      "partnerName",
      "state",
      "updatedAt",
      "verification",
    ]);
  });

  it("answers invalid filters with a message per field and no rows", async () => {
    signedIn.mockResolvedValue(operations);
    const data = await clientsPageData(params({ verificationLevel: "9", sort: "sideways" }));
    expect(data.list).toMatchObject({ ok: false, kind: "invalid", message: expect.stringMatching(/not valid/) });
    if (data.list.ok) return;
    expect(Object.keys(data.list.fieldErrors).sort()).toEqual(["sort", "verificationLevel"]);
    // The form still shows what was asked for, so it can be corrected in place.
    expect(data.filters).toEqual({ verificationLevel: "9", sort: "sideways" });

    const dates = await clientRows(params({ createdFrom: "2026-05-02", createdTo: "2026-05-01" }));
    expect(dates).toMatchObject({
      ok: false,
      kind: "invalid",
      fieldErrors: { createdTo: expect.stringMatching(/before/) },
    });

    // A NUL pasted into the search is named on the search field, not refused by the database.
    const nul = await clientRows(params({ q: "a\u0000b" }));
    expect(nul).toMatchObject({ ok: false, kind: "invalid", fieldErrors: { q: "Control characters are not allowed" } });
  });

  it("never shows a KAM another KAM's partner's clients, even when asked for that partner by id", async () => {
    signedIn.mockResolvedValue(kam);
    const asked = await clientRows(params({ partnerId: String(foreign.id) }));
    expect(asked).toEqual({ ok: true, data: { rows: [], nextCursor: null } });
    signedIn.mockResolvedValue(operations);
    const operationsSee = await clientRows(params({ partnerId: String(foreign.id) }));
    expect(operationsSee.ok && operationsSee.data.rows).toHaveLength(5);
  });
});

describe("the Clients page's Load more", () => {
  it("walks every page once, in order, with no repeats, for the signed-in staff member", async () => {
    signedIn.mockResolvedValue(kam);
    const query = params({ q: `${tag}.`, sort: "email_asc" }).toString();
    const first = await clientRows(new URLSearchParams(query));
    if (!first.ok) throw new Error(`first page: ${first.kind}`);
    const seen = first.data.rows.map((r) => r.email);
    let cursor = first.data.nextCursor;
    while (cursor) {
      const next = await loadMoreClients(query, cursor);
      if (!next.ok) throw new Error(`next page: ${JSON.stringify(next)}`);
      seen.push(...next.value.rows.map((r) => r.email));
      cursor = next.value.nextCursor;
    }
    expect(seen).toEqual(ownEmails);
  });

  it("applies the signed-in staff member's scope, not the one the cursor came from", async () => {
    const query = params({ q: `${tag}.`, sort: "email_asc" }).toString();
    signedIn.mockResolvedValue(operations);
    const wide = await clientRows(new URLSearchParams(query));
    if (!wide.ok || !wide.data.nextCursor) throw new Error("operations should have more than one page");
    // A KAM replaying the wider list's cursor still sees only their own partner's clients.
    signedIn.mockResolvedValue(kam);
    const replayed = await loadMoreClients(query, wide.data.nextCursor);
    if (!replayed.ok) throw new Error(`replayed: ${JSON.stringify(replayed)}`);
    // Only the KAM's own clients, and exactly the run of them that follows the cursor's place.
    const emails = replayed.value.rows.map((r) => r.email);
    expect(emails.length).toBeGreaterThan(0);
    expect(replayed.value.rows.every((r) => r.partnerName === own.name)).toBe(true);
    const from = ownEmails.indexOf(emails[0]!);
    expect(emails).toEqual(ownEmails.slice(from, from + emails.length));
    const lastOfWide = wide.data.rows.at(-1)!.email.toLowerCase();
    expect(from === 0 || ownEmails[from - 1]!.toLowerCase() <= lastOfWide).toBe(true);
    expect(emails[0]!.toLowerCase() > lastOfWide).toBe(true);
  });

  it("refuses a signed-out caller, a staff member who must set up two-factor first, and malformed arguments", async () => {
    const query = params({ q: `${tag}.` }).toString();
    signedIn.mockResolvedValue(kam);
    const first = await clientRows(new URLSearchParams(query));
    const cursor = first.ok ? first.data.nextCursor : null;
    expect(cursor).toEqual(expect.any(String));

    signedIn.mockResolvedValue(undefined);
    // Signing in again leads back to the same list.
    expect(await loadMoreClients(query, cursor!)).toMatchObject({
      ok: false,
      kind: "signed-out",
      action: { href: `/login?callbackUrl=${encodeURIComponent(`/clients?${query}`)}` },
    });
    signedIn.mockResolvedValue({ ...kam, mustEnrollTotp: true });
    expect(await loadMoreClients(query, cursor!)).toMatchObject({
      ok: false,
      kind: "must-enroll-totp",
      action: { href: "/account/security" },
    });

    signedIn.mockResolvedValue(kam);
    for (const [q, c] of [
      [{ q: 1 }, cursor],
      [query, 42],
      [query, null],
      ["q=" + "a".repeat(5000), cursor],
    ] as const) {
      // Sent over HTTP, the arguments can be anything, whatever the action's types say.
      expect(await loadMoreClients(q as never, c as never)).toMatchObject({
        ok: false,
        kind: "invalid",
        message: expect.any(String),
      });
    }
    // A cursor that is not one, or belongs to another sort order: start again, said in words.
    expect(await loadMoreClients(query, "not-a-cursor")).toMatchObject({
      ok: false,
      kind: "invalid",
      message: expect.stringMatching(/cursor/i),
      fieldErrors: { cursor: expect.any(String) },
    });
    const other = await loadMoreClients(params({ q: `${tag}.`, sort: "email_asc" }).toString(), cursor!);
    expect(other).toMatchObject({ ok: false, kind: "invalid", fieldErrors: { cursor: expect.any(String) } });
  });
});
