import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { seedClients } from "../../server/setup/demo-seed";
import { createTestPartner } from "../support/api";

describe("gatehouse seed --clients", () => {
  it("bulk-loads exactly N clients into a partner, each with one CHECKING account in the partner's currency", async () => {
    const partner = await createTestPartner({ defaultCurrency: "CHF" });
    const report = await seedClients(getDb(), { count: 5_000, partnerId: partner.id });
    expect(report).toMatchObject({ count: 5_000, partners: [{ id: partner.id, count: 5_000 }] });

    const counts = await getDb().execute<{
      clients: number;
      accounts: number;
      checking_chf: number;
      without_one: number;
      emails: number;
      statuses: number;
      states: number;
      levels: number;
    }>(sql`
      select count(*)::int as clients,
             (select count(*)::int from accounts a where a.partner_id = ${partner.id}) as accounts,
             (select count(*)::int from accounts a where a.partner_id = ${partner.id} and a.type = 'CHECKING' and a.currency = 'CHF') as checking_chf,
             count(*) filter (where (select count(*) from accounts a where a.client_id = c.id and a.type = 'CHECKING') <> 1)::int as without_one,
             count(distinct lower(c.email))::int as emails,
             count(distinct c.verification_status)::int as statuses,
             count(distinct c.profile_state)::int as states,
             count(distinct c.verification_level)::int as levels
      from clients c where c.partner_id = ${partner.id}`);
    expect(counts.rows[0]).toEqual({
      clients: 5_000,
      accounts: 5_000,
      checking_chf: 5_000,
      without_one: 0,
      emails: 5_000,
      statuses: 4,
      states: 3,
      levels: 6,
    });

    // A second run into the same partner never collides with the first.
    await seedClients(getDb(), { count: 10, partnerId: partner.id });
    const total = await getDb().execute<{ n: number }>(
      sql`select count(*)::int as n from clients where partner_id = ${partner.id}`,
    );
    expect(total.rows[0]?.n).toBe(5_010);
  });
});
