import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, clients, importJobs } from "../../db/schema";
import { createTestPartner } from "../support/api";
import { csvOf, knownHashes, row } from "./support";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-import-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The admin CLI as an operator runs it, against the tests' database. */
function gatehouse(args: string[]) {
  const env = { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "error" } as NodeJS.ProcessEnv;
  return run("npx", ["tsx", "scripts/gatehouse.ts", ...args], { cwd: root, env, timeout: 60_000 });
}

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
}

const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>;

describe("gatehouse clients import", () => {
  it(
    "dry-runs, imports, and prints the counts alone on the last line with --json; a re-run finds only duplicates",
    { timeout: 120_000 },
    async () => {
      const partner = await createTestPartner();
      const { bcrypt } = await knownHashes();
      const rows = [row({ passwordHash: bcrypt }), row(), row({ email: "nobody" })];
      const csv = file("clients.csv", csvOf(rows, { eol: "\r\n", bom: true }));
      const args = ["clients", "import", "--partner", String(partner.id), "--file", csv, "--json"];

      const dry = await gatehouse([...args, "--dry-run"]);
      expect(lastJsonLine(dry.stdout)).toEqual({ rows: 3, ready: 2, invalid: 1, duplicates: 0, imported: 0 });
      expect(await getDb().select().from(clients).where(eq(clients.partnerId, partner.id))).toHaveLength(0);

      const done = await gatehouse(args);
      const printed = lastJsonLine(done.stdout);
      expect(Object.keys(printed)).toEqual(["rows", "ready", "invalid", "duplicates", "imported"]);
      expect(printed).toEqual({ rows: 3, ready: 2, invalid: 1, duplicates: 0, imported: 2 });
      // Progress went to stderr, so stdout is the JSON alone.
      expect(done.stdout.trim().split("\n")).toHaveLength(1);
      expect(done.stderr).toContain("Imported 2 of 2 rows");
      const imported = await getDb().select().from(clients).where(eq(clients.partnerId, partner.id));
      expect(imported.map((c) => c.email).sort()).toEqual([rows[0]!.email, rows[1]!.email].sort());
      expect(imported.every((c) => c.createdVia === "import")).toBe(true);
      const jobs = await getDb().select().from(importJobs).where(eq(importJobs.partnerId, partner.id));
      const completed = jobs.find((j) => j.status === "completed")!;
      const [audit] = await getDb()
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.entityId, completed.id), eq(auditEvents.action, "client.import_completed")));
      expect(audit).toMatchObject({ actorType: "system", actorId: "cli" });

      const again = await gatehouse(args);
      expect(lastJsonLine(again.stdout)).toEqual({ rows: 3, ready: 0, invalid: 1, duplicates: 2, imported: 0 });
      expect(await getDb().select().from(clients).where(eq(clients.partnerId, partner.id))).toHaveLength(2);
    },
  );

  it("refuses a bad file with one line naming the line and a failing exit code", { timeout: 90_000 }, async () => {
    const partner = await createTestPartner();
    const text = csvOf([row(), row()]) + 'x@example.test,"Ada"y,B,LV,1990-01-01,email_verified,1,,,\n';
    const refused = await gatehouse([
      "clients",
      "import",
      "--partner",
      String(partner.id),
      "--file",
      file("bad.csv", text),
    ]).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr.trim()).toBe(
      'Line 4: a quoted cell has text after its closing quote; write a quote inside a quoted cell as ""',
    );
    expect(refused?.stdout).toBe("");
    expect(await getDb().select().from(clients).where(eq(clients.partnerId, partner.id))).toHaveLength(0);
  });
});
