import { beforeAll, describe, expect, it } from "vitest";
import { createTestPartner, uniqueEmail, useApi, whiteLabelBody, type TestPartner } from "../support/api";
import { callerFor, createTestStaff, trpcOutcome } from "../support/staff";

/**
 * SQL injection and pattern tricks in the back office's search and filter
 * inputs: each either is refused as invalid input (BAD_REQUEST) or is matched
 * as literal text, so it neither errors nor widens the results. Lists are
 * filtered to the test's own partner, or checked row by row, so other test
 * files writing to the same database cannot change the answer.
 */

const api = useApi();

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE clients; --",
  '" OR ""="',
  "') OR ('1'='1",
  "1 OR 1=1",
  "%",
  "_",
  "%' OR 1=1 --",
  "\\",
  "\\%",
  "*",
  ".*",
  "$1",
  ":name",
  "?",
  "' UNION SELECT password_hash FROM staff_users --",
  "<script>alert(1)</script>",
  "a\u0000b",
  "𝓍💸",
];

describe("injection strings in search and filter inputs", () => {
  let admin: Awaited<ReturnType<typeof createTestStaff>>;
  let partner: TestPartner;
  const emails: string[] = [];

  beforeAll(async () => {
    admin = await createTestStaff("admin");
    partner = await createTestPartner();
    for (const name of ["Anna", "Bruno"]) {
      const body = whiteLabelBody({ firstName: name, email: uniqueEmail(name.toLowerCase()) });
      const res = await api.post("/api/public/register", body, { partnerId: String(partner.id) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      emails.push(body.email);
    }
  });

  it("the partner's clients are found by an ordinary search, so an empty answer below means something", async () => {
    const caller = callerFor(admin);
    expect((await caller.client.list({ partnerId: partner.id })).items).toHaveLength(2);
    expect((await caller.client.list({ partnerId: partner.id, q: "ann" })).items.map((c) => c.email)).toEqual([
      emails[0],
    ]);
  });

  it.each(INJECTIONS)("client search %j matches literally (nothing here) or is refused", async (q) => {
    const caller = callerFor(admin);
    const scoped = await trpcOutcome(caller.client.list({ partnerId: partner.id, q }));
    expect(["OK", "BAD_REQUEST"]).toContain(scoped.code);
    if ("value" in scoped) expect(scoped.value.items).toEqual([]);

    // Across all partners, whatever comes back really starts with the text typed.
    const everywhere = await trpcOutcome(caller.client.list({ q, limit: 50 }));
    expect(["OK", "BAD_REQUEST"]).toContain(everywhere.code);
    if ("value" in everywhere) {
      const needle = q.trim().toLowerCase();
      for (const c of everywhere.value.items) {
        const fields = [c.email, `${c.firstName ?? ""} ${c.lastName ?? ""}`, c.lastName ?? ""].map((f) =>
          f.toLowerCase(),
        );
        expect(
          fields.some((f) => f.startsWith(needle)),
          `${JSON.stringify(q)} widened to ${c.email}`,
        ).toBe(true);
      }
    }
  });

  it.each(INJECTIONS)("billing, outbox and audit filters with %j match literally or are refused", async (text) => {
    const caller = callerFor(admin);
    // Thunks, called one at a time: a refusal is awaited as soon as it happens.
    const checks: Array<[string, () => Promise<{ items: unknown[] }>]> = [
      ["subscription.list email", () => caller.subscription.list({ partnerId: partner.id, email: text })],
      ["invoice.list email", () => caller.invoice.list({ partnerId: partner.id, email: text })],
      ["audit.list action", () => caller.audit.list({ partnerId: partner.id, action: text })],
      ["audit.list entityType", () => caller.audit.list({ partnerId: partner.id, entityType: text })],
      ["audit.list entityId", () => caller.audit.list({ partnerId: partner.id, entityType: "client", entityId: text })],
      ["audit.list actorId", () => caller.audit.list({ partnerId: partner.id, actorType: "staff", actorId: text })],
      ["outbox.list to", () => caller.outbox.list({ to: text })],
    ];
    for (const [what, call] of checks) {
      const result = await trpcOutcome(call());
      expect(["OK", "BAD_REQUEST"], what).toContain(result.code);
      if (!("value" in result)) continue;
      if (what === "outbox.list to") {
        for (const row of result.value.items as Array<{ to: string }>)
          expect(row.to.toLowerCase(), what).toBe(text.toLowerCase());
      } else expect(result.value.items, what).toEqual([]);
    }
  });
});
