import { expect, gatehouse, test } from "./fixtures";
import { uniqueTag } from "./support/data";

/**
 * Per-address limits against the real server (`npm start`), where the
 * client address comes from the socket: with no trusted proxy configured, a
 * client that writes its own X-Forwarded-For is still one address.
 */

const registration = (email: string) => ({
  firstName: "Forged",
  lastName: "Address",
  email,
  countryCode: "LV",
  password: "Qwerty123",
  referralCode: null,
  agreed: true,
  birthDate: "1990-01-31",
});

test("a client cannot get round a partner's per-address registration quota by forging X-Forwarded-For", async ({
  request,
  db,
}) => {
  const partner = await gatehouse<{ partnerId: number }>([
    "partner",
    "create",
    "--name",
    `E2E per-IP quota ${uniqueTag()}`,
    "--quota-ip",
    "1",
    "--quota-total",
    "0",
  ]);
  const emails = ["a", "b", "c"].map((n) => `forged-${n}-${uniqueTag()}@example.test`);
  const statuses: number[] = [];
  for (const [i, email] of emails.entries()) {
    const response = await request.post("/api/public/register", {
      headers: { partnerId: String(partner.partnerId), "X-Forwarded-For": `198.51.100.${i + 1}` },
      data: registration(email),
    });
    statuses.push(response.status());
  }
  expect(statuses).toEqual([201, 429, 429]);

  // The audit log names the address the request came from, not the one it claimed.
  const audit = await db.query<{ ip: string }>(
    "select a.ip from audit_events a join clients c on c.id::text = a.entity_id where a.action = 'client.register' and c.email = $1",
    [emails[0]],
  );
  expect(audit.rows.map((r) => r.ip)).toEqual(["127.0.0.1"]);
});
