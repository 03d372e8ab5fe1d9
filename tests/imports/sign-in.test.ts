import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients, emailOutbox } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { systemCaller } from "../../server/caller";
import { startImport } from "../../server/imports/control";
import { importClaimant, runImportToCompletion } from "../../server/imports/run";
import { stageImport } from "../../server/imports/stage";
import { createTestPartner, useApi, type TestPartner } from "../support/api";
import { chunked, csvOf, importEmail, knownHashes, PASSWORD, row, type Row } from "./support";

/**
 * Imported clients sign in through the public endpoints: bcrypt hashes verify
 * and are replaced by argon2id, argon2id hashes are kept, and an empty hash
 * never verifies until the client sets a password through password reset.
 */

const api = useApi();
const system = systemCaller("test");

beforeAll(() => {
  process.env.TRUSTED_PROXY_COUNT = "1";
  resetConfigForTests();
});
afterAll(() => {
  delete process.env.TRUSTED_PROXY_COUNT;
  resetConfigForTests();
});

/** An address of the test's own, as a proxy in front of the app passes it on, so sign-in limits are the test's. */
function ownAddress(): Record<string, string> {
  return { "X-Forwarded-For": `2001:db8:${randomBytes(6).toString("hex").match(/.{4}/g)!.join(":")}::7` };
}

async function imported(partner: TestPartner, rows: Row[]): Promise<void> {
  const job = await stageImport(system, { partnerId: partner.id, fileName: null, source: chunked(csvOf(rows)) });
  const claimant = importClaimant("test");
  await startImport(system, { jobId: job.id, sendEmails: false, sendWebhooks: false }, { claimant });
  const done = await runImportToCompletion(system, { jobId: job.id, claimant });
  expect(done.imported).toBe(rows.length);
}

async function storedHash(email: string): Promise<string> {
  const [c] = await getDb().select({ hash: clients.passwordHash }).from(clients).where(eq(clients.email, email));
  return c!.hash;
}

const signIn = (partner: TestPartner, email: string, password: string, from: Record<string, string>) =>
  api.post("/api/public/authenticate", { username: email, password }, { partnerId: String(partner.id), ...from });

describe("signing in with an imported password hash", () => {
  it("a bcrypt hash verifies, is replaced by argon2id, and two racing sign-ins both succeed", async () => {
    const partner = await createTestPartner();
    const { bcrypt } = await knownHashes();
    const email = importEmail("bcrypt");
    const other = importEmail("bcrypt-race");
    await imported(partner, [row({ email, passwordHash: bcrypt }), row({ email: other, passwordHash: bcrypt })]);
    const from = ownAddress();

    expect((await signIn(partner, email, "Wrong12345", from)).status).toBe(401);
    expect(await storedHash(email)).toBe(bcrypt);
    const [before] = await getDb()
      .select({ updatedAt: clients.updatedAt })
      .from(clients)
      .where(eq(clients.email, email));

    const ok = await signIn(partner, email, PASSWORD, from);
    expect(ok.status).toBe(200);
    expect(typeof ok.body.token).toBe("string");
    const upgraded = await storedHash(email);
    expect(upgraded.startsWith("$argon2id$")).toBe(true);
    // The same password, a new hash: not a change of the client.
    const [after] = await getDb()
      .select({ updatedAt: clients.updatedAt })
      .from(clients)
      .where(eq(clients.email, email));
    expect(after!.updatedAt).toEqual(before!.updatedAt);
    // And it keeps working with the new hash.
    expect((await signIn(partner, email, PASSWORD, from)).status).toBe(200);
    expect(await storedHash(email)).toBe(upgraded);

    const raced = await Promise.all([signIn(partner, other, PASSWORD, from), signIn(partner, other, PASSWORD, from)]);
    expect(raced.map((r) => r.status)).toEqual([200, 200]);
    expect((await storedHash(other)).startsWith("$argon2id$")).toBe(true);
  });

  it("an argon2id hash is kept as it is and signs in", async () => {
    const partner = await createTestPartner();
    const { argon2id } = await knownHashes();
    const email = importEmail("argon");
    await imported(partner, [row({ email, passwordHash: argon2id })]);
    const from = ownAddress();
    expect((await signIn(partner, email, PASSWORD, from)).status).toBe(200);
    expect(await storedHash(email)).toBe(argon2id);
    // Through the partner API's password grant too.
    const grant = await api.post(
      "/oauth/token",
      { grant_type: "password", username: email, password: PASSWORD },
      { partnerId: String(partner.id), ...from },
    );
    expect(grant.status).toBe(200);
  });

  it("an empty hash never signs in; password reset then sets a password that does", async () => {
    const partner = await createTestPartner();
    const email = importEmail("reset");
    await imported(partner, [row({ email, passwordHash: "" })]);
    const from = ownAddress();
    for (const password of ["", "anything1", PASSWORD]) {
      const refused = await signIn(partner, email, password, from);
      expect(refused.status).toBe(password === "" ? 422 : 401);
    }
    expect(await storedHash(email)).toBe("");

    const headers = { partnerId: String(partner.id), ...from };
    expect((await api.post("/api/public/password/forgot", { email }, headers)).status).toBe(202);
    const [mail] = await getDb()
      .select({ text: emailOutbox.textBody })
      .from(emailOutbox)
      .where(eq(emailOutbox.toAddress, email));
    const token = new URL(/https?:\/\/\S+/.exec(mail!.text)![0]).searchParams.get("token")!;
    const reset = await api.post("/api/public/password/reset", { token, password: "Chosen1234" }, headers);
    expect(reset.status).toBe(200);
    expect((await signIn(partner, email, "Chosen1234", from)).status).toBe(200);
    expect((await storedHash(email)).startsWith("$argon2id$")).toBe(true);
  });
});
