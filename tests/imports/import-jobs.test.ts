import { and, eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import {
  accounts,
  auditEvents,
  clients,
  emailOutbox,
  importJobs,
  importRows,
  partners,
  webhookMessages,
} from "../../db/schema";
import { systemCaller, type Caller } from "../../server/caller";
import { AppError } from "../../server/errors";
import { cancelImport, startImport } from "../../server/imports/control";
import { importBatch, importClaimant, runImportToCompletion } from "../../server/imports/run";
import { stageImport } from "../../server/imports/stage";
import { errorReportCsv, getImportJob, invalidRows, listImportJobs } from "../../server/imports/views";
import { addWebhookEndpoint } from "../../server/webhooks/endpoints";
import { createTestPartner, type TestPartner } from "../support/api";
import { staffCaller } from "../support/caller";
import { callerFor, createTestStaff, trpcOutcome } from "../support/staff";
import { chunked, csvOf, importEmail, knownHashes, row, type Row } from "./support";

const system = systemCaller("test");
let operations: Caller;

beforeAll(async () => {
  operations = await staffCaller(await createTestStaff("operations"));
});

async function stage(partner: { id: number }, text: string, caller: Caller = operations) {
  return stageImport(caller, { partnerId: partner.id, fileName: "clients.csv", source: chunked(text) });
}

/** Starts the job under a claim of the test's own and imports it to the end, as the CLI does. */
async function importJob(jobId: string, o: { sendEmails?: boolean; sendWebhooks?: boolean; batchSize?: number } = {}) {
  const claimant = importClaimant("test");
  await startImport(
    operations,
    { jobId, sendEmails: o.sendEmails ?? false, sendWebhooks: o.sendWebhooks ?? false },
    { claimant },
  );
  return runImportToCompletion(system, { jobId, claimant, batchSize: o.batchSize });
}

async function clientsOf(partnerId: number) {
  return getDb().select().from(clients).where(eq(clients.partnerId, partnerId)).orderBy(clients.email);
}

async function reportOf(jobId: string): Promise<string> {
  let text = "";
  for await (const chunk of errorReportCsv(operations, { jobId })) text += chunk;
  return text;
}

async function completionEvents(jobId: string) {
  return getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.entityId, jobId), eq(auditEvents.action, "client.import_completed")));
}

describe("an import, end to end", () => {
  it("stages a file (BOM, CRLF, quoted commas and line breaks), imports its ready rows as clients with their data, and reports the rest", async () => {
    const partner = await createTestPartner();
    const { argon2id, bcrypt } = await knownHashes();
    const rows: Row[] = [
      row({ email: importEmail("argon"), passwordHash: argon2id, externalId: "crm-1", address1: "Brivibas 1, flat 2" }),
      row({
        email: importEmail("bcrypt"),
        passwordHash: bcrypt,
        verificationStatus: "identified",
        verificationLevel: "3",
      }),
      row({
        email: importEmail("reset"),
        countryCode: "ee",
        verificationStatus: "not_verified",
        verificationLevel: "0",
      }),
      // A quoted line break: one record over two lines, refused as a control character in a name.
      row({ email: importEmail("broken"), lastName: "Two\r\nLines" }),
      row({ email: "not-an-email", countryCode: "XX", birthDate: "2999-01-01", passwordHash: "plain-text" }),
      row({ email: importEmail("level"), verificationLevel: "7" }),
    ];
    const text = csvOf(rows, { bom: true, eol: "\r\n" });
    const staged = await stage(partner, text);
    expect(staged).toMatchObject({
      partnerId: partner.id,
      partnerName: partner.name,
      fileName: "clients.csv",
      status: "validated",
      rows: 6,
      ready: 3,
      invalid: 3,
      duplicates: 0,
      imported: 0,
      error: null,
    });
    // Lines: header 1, rows 2–4, the two-line record 5–6, then 7 and 8.
    const invalid = await invalidRows(operations, { jobId: staged.id, limit: 10 });
    expect(invalid.map((r) => r.line)).toEqual([5, 7, 8]);
    expect(invalid[0]!.errors).toEqual([
      { field: "lastName", message: "lastName must not contain control characters" },
    ]);
    expect(invalid[1]!.errors.map((e) => e.field)).toEqual(["email", "countryCode", "birthDate", "passwordHash"]);
    expect(invalid[1]!.errors[0]!.message).toBe("Email must be a valid address");
    expect(invalid[1]!.errors[3]!.message).toMatch(/^passwordHash must be an argon2id hash/);
    expect(invalid[2]!.errors).toEqual([
      { field: "verificationLevel", message: "verificationLevel must be a whole number from 0 to 5" },
    ]);
    expect(await clientsOf(partner.id)).toHaveLength(0);

    const done = await importJob(staged.id);
    expect(done).toMatchObject({ status: "completed", rows: 6, ready: 3, invalid: 3, duplicates: 0, imported: 3 });
    expect(done.finishedAt).toBeInstanceOf(Date);
    const imported = await clientsOf(partner.id);
    expect(imported).toHaveLength(3);
    const byEmail = new Map(imported.map((c) => [c.email, c]));
    expect(byEmail.get(rows[0]!.email!)).toMatchObject({
      firstName: "Ada",
      lastName: "Lovelace",
      countryCode: "LV",
      birthDate: "1990-04-03",
      verificationStatus: "email_verified",
      verificationLevel: 1,
      externalId: "crm-1",
      address1: "Brivibas 1, flat 2",
      createdVia: "import",
      passwordHash: argon2id,
      profileState: "active",
    });
    expect(byEmail.get(rows[0]!.email!)!.emailConfirmedAt).toBeInstanceOf(Date);
    expect(byEmail.get(rows[1]!.email!)).toMatchObject({
      verificationStatus: "identified",
      verificationLevel: 3,
      passwordHash: bcrypt,
    });
    expect(byEmail.get(rows[2]!.email!)).toMatchObject({ countryCode: "EE", passwordHash: "", emailConfirmedAt: null });
    // Each has its CHECKING account, as a registered client does.
    const opened = await getDb()
      .select({ clientId: accounts.clientId, type: accounts.type, currency: accounts.currency })
      .from(accounts)
      .where(
        inArray(
          accounts.clientId,
          imported.map((c) => c.id),
        ),
      );
    expect(opened).toHaveLength(3);
    expect(opened.every((a) => a.type === "CHECKING" && a.currency === partner.defaultCurrency)).toBe(true);
    const staging = await getDb()
      .select({ line: importRows.line, status: importRows.status, clientId: importRows.clientId })
      .from(importRows)
      .where(eq(importRows.jobId, staged.id))
      .orderBy(importRows.line);
    expect(staging.map((r) => [r.line, r.status])).toEqual([
      [2, "imported"],
      [3, "imported"],
      [4, "imported"],
      [5, "invalid"],
      [7, "invalid"],
      [8, "invalid"],
    ]);
    expect(staging.filter((r) => r.status === "imported").every((r) => r.clientId !== null)).toBe(true);

    // One audit event for the job, with its counts.
    const events = await completionEvents(staged.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorType: "system",
      entityType: "import_job",
      partnerId: partner.id,
      after: expect.objectContaining({ rows: 6, ready: 3, invalid: 3, duplicates: 0, imported: 3 }) as unknown,
    });

    // The error report: a line per field error, formula-looking cells neutralised.
    const report = await reportOf(staged.id);
    const lines = report.trim().split("\r\n");
    expect(lines[0]).toBe("line,email,field,message");
    expect(lines).toHaveLength(1 + 1 + 4 + 1);
    expect(lines[1]).toBe(`5,${rows[3]!.email},lastName,lastName must not contain control characters`);
    expect(lines[2]).toBe("7,not-an-email,email,Email must be a valid address");

    const listed = await listImportJobs(operations, { partnerId: partner.id });
    expect(listed.map((j) => j.id)).toEqual([staged.id]);
  });

  it("a second run of the same file finds every row a duplicate and creates no second client; a file repeating an email reports the repeat", async () => {
    const partner = await createTestPartner();
    const rows = [row(), row(), row()];
    const first = await importJob((await stage(partner, csvOf(rows))).id);
    expect(first.imported).toBe(3);

    const again = await stage(partner, csvOf(rows));
    expect(again).toMatchObject({ rows: 3, ready: 0, invalid: 0, duplicates: 3 });
    const second = await importJob(again.id);
    expect(second).toMatchObject({ status: "completed", imported: 0, duplicates: 3 });
    expect(await clientsOf(partner.id)).toHaveLength(3);
    expect((await reportOf(again.id)).trim().split("\r\n").slice(1)).toEqual(
      rows.map((r, i) => `${i + 2},${r.email},email,Already a client of this partner`),
    );

    const repeated = importEmail("twice");
    const withRepeat = await stage(
      partner,
      csvOf([row({ email: repeated }), row(), row({ email: repeated.toUpperCase() })]),
    );
    expect(withRepeat).toMatchObject({ rows: 3, ready: 2, duplicates: 1 });
    expect((await reportOf(withRepeat.id)).trim().split("\r\n")[1]).toBe(
      `4,${repeated.toUpperCase()},email,Repeats line 2`,
    );
    await importJob(withRepeat.id);
    expect(await clientsOf(partner.id)).toHaveLength(5);
  });

  it("a row that became a client after the dry run is a duplicate, never a second client", async () => {
    const partner = await createTestPartner();
    const late = importEmail("late");
    const job = await stage(partner, csvOf([row(), row({ email: late }), row()]));
    await importJob((await stage(partner, csvOf([row({ email: late.toUpperCase() })]))).id);
    const done = await importJob(job.id);
    expect(done).toMatchObject({ rows: 3, ready: 2, duplicates: 1, imported: 2 });
    expect(
      (await clientsOf(partner.id)).filter((c) => c.email.toLowerCase() === late.toLowerCase()).map((c) => c.email),
    ).toEqual([late.toUpperCase()]);
  });
});

describe("refused files", () => {
  const header = "email,firstName,lastName,countryCode,birthDate,verificationStatus,verificationLevel,passwordHash\n";
  const good = (email = importEmail()) => `${email},Ada,Lovelace,LV,1990-04-03,email_verified,1,\n`;

  async function refusal(partner: TestPartner, source: AsyncIterable<Uint8Array | string>) {
    const thrown = await stageImport(operations, { partnerId: partner.id, fileName: "bad.csv", source }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect(error.code).toBe("validation_failed");
    expect(error.status).toBe(422);
    expect(error.fields).toEqual([{ path: "file", message: error.message }]);
    const [job] = await getDb()
      .select()
      .from(importJobs)
      .where(eq(importJobs.partnerId, partner.id))
      .orderBy(sql`${importJobs.createdAt} desc`)
      .limit(1);
    expect(job).toMatchObject({ status: "failed", error: error.message, rows: 0, imported: 0 });
    const [staged] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(importRows)
      .where(eq(importRows.jobId, job!.id));
    expect(staged!.n).toBe(0);
    expect(await clientsOf(partner.id)).toHaveLength(0);
    // A failed job cannot be started.
    await expect(
      startImport(operations, { jobId: job!.id, sendEmails: false, sendWebhooks: false }),
    ).rejects.toMatchObject({ code: "conflict" });
    return error.message;
  }

  it("names the line of each problem, stages nothing and imports nothing", async () => {
    const partner = await createTestPartner();
    // Not CSV: an image.
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]);
    expect(
      await refusal(
        partner,
        (async function* () {
          yield png;
        })(),
      ),
    ).toBe("Line 1: is not UTF-8 text; the file must be CSV saved as UTF-8");
    // Not CSV: JSON.
    expect(await refusal(partner, chunked('[{"email": "a@example.test"}]\n'))).toMatch(/^Line 1: /);
    expect(await refusal(partner, chunked("email,firstName,lastName\r\na@example.test,A,B\r\n"))).toBe(
      "Line 1: missing required columns countryCode, birthDate, verificationStatus, verificationLevel, passwordHash",
    );
    expect(await refusal(partner, chunked(header.replace("email,", "email,nickname,")))).toMatch(
      /^Line 1: unknown column "nickname"/,
    );
    expect(await refusal(partner, chunked(""))).toMatch(/^Line 1: the file is empty/);
    expect(await refusal(partner, chunked(header))).toBe("Line 2: the file has a header but no rows");
    // NUL bytes in a cell, on the fourth line.
    expect(
      await refusal(
        partner,
        chunked(header + good() + good() + "a@example.test,A\u0000da,B,LV,1990-01-01,email_verified,1,\n"),
      ),
    ).toBe("Line 4: contains a NUL byte; the file is binary, not CSV text (save it as CSV, UTF-8)");
    // Bad quoting.
    expect(
      await refusal(partner, chunked(header + good() + 'b@example.test,"Ada"x,B,LV,1990-01-01,email_verified,1,\n')),
    ).toMatch(/^Line 3: a quoted cell has text after its closing quote/);
    expect(
      await refusal(partner, chunked(header + good() + 'b@example.test,"Ada,B,LV,1990-01-01,email_verified,1,\n')),
    ).toMatch(/^Line 3: a quoted cell is never closed/);
  });

  it("refuses a 50 MB cell at its line without reading the rest of the file", async () => {
    const partner = await createTestPartner();
    let sent = 0;
    const megabyte = "x".repeat(1024 * 1024);
    const source = (async function* () {
      yield header + good() + good() + `c@example.test,"`;
      for (let i = 0; i < 50; i++) {
        sent += megabyte.length;
        yield megabyte;
      }
      yield `",B,LV,1990-01-01,email_verified,1,\n`;
    })();
    expect(await refusal(partner, source)).toBe(
      "Line 4: a row or cell is larger than 64 KiB; is this a CSV file of clients?",
    );
    expect(sent).toBeLessThan(5 * 1024 * 1024);
  });

  it(
    "refuses a file of 200,000 rows naming the limit, and keeps none of the rows it read",
    { timeout: 240_000 },
    async () => {
      const partner = await createTestPartner();
      const source = (async function* () {
        yield header;
        // Rows in chunks of 1,000 lines; every row invalid (no names), which stages as fast as anything.
        for (let chunk = 0; chunk < 200; chunk++) {
          let text = "";
          for (let i = 0; i < 1000; i++) text += `r${chunk}-${i}@example.test,,,LV,1990-01-01,email_verified,1,\n`;
          yield text;
        }
      })();
      expect(await refusal(partner, source)).toBe(
        "Line 100002: the file has more than 100,000 rows; split it into files of at most 100,000 rows",
      );
    },
  );
});

describe("sends and audit", () => {
  it("sends no email and no webhook unless the job asks, and both when it does", async () => {
    const partner = await createTestPartner();
    await addWebhookEndpoint(system, {
      partnerId: partner.id,
      url: "https://hooks.example.com/imports",
      eventTypes: [],
    });
    const quiet = await importJob(
      (await stage(partner, csvOf([row(), row({ verificationStatus: "not_verified", verificationLevel: "0" })]))).id,
    );
    expect(quiet.imported).toBe(2);
    const quietIds = (await clientsOf(partner.id)).map((c) => c.id);
    expect(await getDb().select().from(emailOutbox).where(inArray(emailOutbox.clientId, quietIds))).toHaveLength(0);
    expect(await getDb().select().from(webhookMessages).where(eq(webhookMessages.partnerId, partner.id))).toHaveLength(
      0,
    );

    const { bcrypt } = await knownHashes();
    const loud = [
      row({ email: importEmail("welcome"), passwordHash: bcrypt }),
      row({ email: importEmail("nopass") }),
      row({ email: importEmail("confirm"), verificationStatus: "not_verified", verificationLevel: "0" }),
    ];
    const job = await importJob((await stage(partner, csvOf(loud))).id, {
      sendEmails: true,
      sendWebhooks: true,
      batchSize: 2,
    });
    expect(job).toMatchObject({ imported: 3, sendEmails: true, sendWebhooks: true });
    const loudClients = (await clientsOf(partner.id)).filter((c) => !quietIds.includes(c.id));
    const emails = await getDb()
      .select({ to: emailOutbox.toAddress, template: emailOutbox.template, text: emailOutbox.textBody })
      .from(emailOutbox)
      .where(
        inArray(
          emailOutbox.clientId,
          loudClients.map((c) => c.id),
        ),
      );
    const byTo = new Map(emails.map((e) => [e.to, e]));
    expect(emails).toHaveLength(3);
    expect(byTo.get(loud[0]!.email!)!.template).toBe("account_imported");
    expect(byTo.get(loud[0]!.email!)!.text).toContain("Sign in with the password you already use");
    expect(byTo.get(loud[1]!.email!)!.text).toContain("Forgot password");
    expect(byTo.get(loud[2]!.email!)!.template).toBe("email_confirmation");
    expect(byTo.get(loud[2]!.email!)!.text).toMatch(/\/confirm-email\?token=/);
    const messages = await getDb()
      .select({ type: webhookMessages.eventType, clientId: webhookMessages.clientId, payload: webhookMessages.payload })
      .from(webhookMessages)
      .where(eq(webhookMessages.partnerId, partner.id));
    expect(messages.map((m) => m.clientId).sort()).toEqual(loudClients.map((c) => c.id).sort());
    expect(messages.every((m) => m.type === "client.registered")).toBe(true);
    expect((messages[0]!.payload as { data: Record<string, unknown> }).data).toMatchObject({
      partnerId: partner.id,
      createdVia: "import",
    });
    // One audit event per job, whatever the number of batches.
    expect(await completionEvents(job.id)).toHaveLength(1);
  });
});

describe("claims", () => {
  it("of two concurrent starts one wins, and the rows are imported once", async () => {
    const partner = await createTestPartner();
    const job = await stage(partner, csvOf([row(), row(), row()]));
    const outcomes = await Promise.allSettled([
      startImport(operations, { jobId: job.id, sendEmails: false, sendWebhooks: false }),
      startImport(operations, { jobId: job.id, sendEmails: false, sendWebhooks: false }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected");
    expect((refused!.reason as AppError).code).toBe("conflict");
    const [a, b] = [importClaimant("a"), importClaimant("b")];
    const runs = await Promise.allSettled([
      runImportToCompletion(system, { jobId: job.id, claimant: a }),
      runImportToCompletion(system, { jobId: job.id, claimant: b }),
    ]);
    expect(runs.some((r) => r.status === "fulfilled" && r.value.status === "completed")).toBe(true);
    expect(await clientsOf(partner.id)).toHaveLength(3);
    expect((await getImportJob(operations, { jobId: job.id })).imported).toBe(3);
    expect(await completionEvents(job.id)).toHaveLength(1);
  });

  it("a job whose claim lapsed mid-way is taken over and finished, without duplicates", async () => {
    const partner = await createTestPartner();
    const job = await stage(partner, csvOf(Array.from({ length: 25 }, () => row())));
    const first = importClaimant("stopped");
    await startImport(operations, { jobId: job.id, sendEmails: false, sendWebhooks: false }, { claimant: first });
    expect(await importBatch(system, { claimant: first, jobId: job.id, batchSize: 10 })).toBe("more");
    expect(await importBatch(system, { claimant: first, jobId: job.id, batchSize: 10 })).toBe("more");
    // While the claim is live nobody else takes the job.
    await expect(
      runImportToCompletion(system, { jobId: job.id, claimant: importClaimant("eager") }),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    // The process holding it stopped: its claim lapses.
    await getDb()
      .update(importJobs)
      .set({ claimedUntil: sql`now() - interval '1 second'` })
      .where(eq(importJobs.id, job.id));
    const second = importClaimant("resumed");
    const done = await runImportToCompletion(system, { jobId: job.id, claimant: second, batchSize: 10 });
    expect(done).toMatchObject({ status: "completed", imported: 25, duplicates: 0 });
    // The first holder's claim is gone: it writes nothing more.
    expect(await importBatch(system, { claimant: first, jobId: job.id, batchSize: 10 })).toBe("lost");
    expect(await clientsOf(partner.id)).toHaveLength(25);
    const [{ n }] = (await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(importRows)
      .where(and(eq(importRows.jobId, job.id), eq(importRows.status, "imported")))) as [{ n: number }];
    expect(n).toBe(25);
    expect(await completionEvents(job.id)).toHaveLength(1);
  });

  it("cancelling an importing job stops it after the batch in flight; the clients imported stay", async () => {
    const partner = await createTestPartner();
    const job = await stage(partner, csvOf(Array.from({ length: 12 }, () => row())));
    const claimant = importClaimant("cancelled");
    await startImport(operations, { jobId: job.id, sendEmails: false, sendWebhooks: false }, { claimant });
    await importBatch(system, { claimant, jobId: job.id, batchSize: 5 });
    const cancelled = await cancelImport(operations, { jobId: job.id });
    expect(cancelled).toMatchObject({ status: "cancelled", imported: 5 });
    expect(cancelled.error).toBe("Cancelled after 5 of 12 rows were imported; the clients already imported stay");
    expect(await importBatch(system, { claimant, jobId: job.id, batchSize: 5 })).toBe("lost");
    expect(await clientsOf(partner.id)).toHaveLength(5);
    await expect(cancelImport(operations, { jobId: job.id })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("who may import", () => {
  it("a KAM can neither stage, see, list nor start a job, even for a partner they own", async () => {
    const kamStaff = await createTestStaff("kam");
    const partner = await createTestPartner();
    await getDb().update(partners).set({ ownerStaffId: kamStaff.id }).where(eq(partners.id, partner.id));
    const kam = await staffCaller(kamStaff);
    await expect(stage(partner, csvOf([row()]), kam)).rejects.toMatchObject({ code: "forbidden" });
    const job = await stage(partner, csvOf([row()]));
    await expect(getImportJob(kam, { jobId: job.id })).rejects.toMatchObject({ code: "forbidden" });
    await expect(listImportJobs(kam, {})).rejects.toMatchObject({ code: "forbidden" });
    await expect(startImport(kam, { jobId: job.id, sendEmails: false, sendWebhooks: false })).rejects.toMatchObject({
      code: "forbidden",
    });
    // Through the procedures, as the page calls them.
    expect(await trpcOutcome(callerFor(kamStaff).import.get({ jobId: job.id }))).toEqual({ code: "FORBIDDEN" });
    expect(
      await trpcOutcome(callerFor(kamStaff).import.start({ jobId: job.id, sendEmails: false, sendWebhooks: false })),
    ).toEqual({ code: "FORBIDDEN" });
    expect((await getImportJob(operations, { jobId: job.id })).status).toBe("validated");
  });
});
