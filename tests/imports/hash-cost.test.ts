import { describe, expect, it } from "vitest";
import { validateImportRow } from "../../server/imports/row-schema";

/**
 * An imported hash is verified at sign-in with its own parameters, so a row
 * whose hash asks for hours of CPU or gigabytes of memory per attempt is
 * refused at the dry run, naming the bound.
 */

const cells = (passwordHash: string) => ({
  email: "cost@example.test",
  firstName: "Ada",
  lastName: "Lovelace",
  countryCode: "LV",
  birthDate: "1990-04-03",
  verificationStatus: "email_verified",
  verificationLevel: "1",
  passwordHash,
});
const salt = "c2FsdHNhbHRzYWx0";
const digest = "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo";
const bcryptTail = "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

function passwordHashErrors(hash: string): string[] {
  const verdict = validateImportRow(cells(hash));
  return verdict.ok ? [] : verdict.errors.filter((e) => e.field === "passwordHash").map((e) => e.message);
}

describe("imported password hashes are bounded in the work they ask of a sign-in", () => {
  it("keeps the costs real exports use", () => {
    expect(passwordHashErrors(`$argon2id$v=19$m=19456,t=2,p=1$${salt}$${digest}`)).toEqual([]);
    expect(passwordHashErrors(`$argon2id$v=19$m=65536,t=3,p=4$${salt}$${digest}`)).toEqual([]);
    expect(passwordHashErrors(`$2b$12$${bcryptTail}`)).toEqual([]);
    expect(passwordHashErrors(`$2y$14$${bcryptTail}`)).toEqual([]);
  });

  it("refuses argon2id beyond m=262144, t=10 or p=8, and bcrypt beyond cost 14, naming the bound", () => {
    for (const params of ["m=9999999,t=2,p=1", "m=19456,t=999,p=1", "m=19456,t=2,p=64"]) {
      const [message] = passwordHashErrors(`$argon2id$v=19$${params}$${salt}$${digest}`);
      expect(message, params).toMatch(/at most m=262144,t=10,p=8/);
    }
    const [message] = passwordHashErrors(`$2a$31$${bcryptTail}`);
    expect(message).toMatch(/bcrypt cost at most 14 \(this one: 31\)/);
  });
});
