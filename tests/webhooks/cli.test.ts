import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { and, eq } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { getDb } from "../../db/client";
import { auditEvents, webhookEndpoints } from "../../db/schema";
import { webhookAdd, webhookList, webhookRemove } from "../../server/cli/commands";
import { openSecret } from "../../server/crypto";
import { SECRET_PURPOSE } from "../../server/webhooks/deliveries";
import { createTestPartner } from "../support/api";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

/** The admin CLI as an operator runs it, against the tests' database. */
function gatehouse(args: string[]) {
  const env = { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "error" } as NodeJS.ProcessEnv;
  return run("npx", ["tsx", "scripts/gatehouse.ts", ...args], { cwd: root, env, timeout: 60_000 });
}

describe("gatehouse webhook add / list / remove", () => {
  it(
    "adds an endpoint and prints {id, secret} alone on the last line with --json; the secret is the one that signs",
    { timeout: 90_000 },
    async () => {
      const partner = await createTestPartner();
      const { stdout } = await gatehouse([
        "webhook",
        "add",
        "--partner",
        String(partner.id),
        "--url",
        "https://hooks.example.com/gatehouse",
        "--events",
        "kyc.decided, invoice.paid",
        "--json",
      ]);
      const printed = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, string>;
      expect(Object.keys(printed).sort()).toEqual(["id", "secret"]);
      expect(printed.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const [row] = await getDb().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, printed.id!));
      expect(row).toMatchObject({
        partnerId: partner.id,
        url: "https://hooks.example.com/gatehouse",
        eventTypes: ["invoice.paid", "kyc.decided"],
        enabled: true,
        createdByStaffId: null,
      });
      expect(openSecret(SECRET_PURPOSE, row!.secretSealed)).toBe(printed.secret);
      const [audit] = await getDb()
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.entityId, printed.id!), eq(auditEvents.action, "webhook.endpoint_created")));
      expect(audit).toMatchObject({ actorType: "system", actorId: "cli", partnerId: partner.id });

      // Refusals are one clear line on stderr and a failing exit code.
      const refused = await gatehouse([
        "webhook",
        "add",
        "--partner",
        String(partner.id),
        "--url",
        "https://hooks.example.com/x",
        "--events",
        "client.deleted",
      ]).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr.trim()).toBe(
        `--events.0: Unknown event type; use client.registered, client.email_confirmed, client.verification_changed, client.state_changed, kyc.decided, subscription.activated, subscription.renewal_failed, subscription.cancelled, invoice.paid`,
      );
    },
  );

  it("lists a partner's endpoints without their secrets and removes one by id", async () => {
    const partner = await createTestPartner();
    const first = await webhookAdd({ partner: String(partner.id), url: "https://hooks.example.com/a" });
    const second = await webhookAdd({
      partner: String(partner.id),
      url: "https://hooks.example.com/b",
      events: "client.registered",
    });
    expect(first.lines.join("\n")).toContain(first.json!.secret as string);

    const listed = await webhookList({ partner: String(partner.id) });
    expect(listed.json).toEqual({
      endpoints: [
        {
          id: first.json!.id,
          url: "https://hooks.example.com/a",
          eventTypes: [],
          enabled: true,
          disabledReason: null,
          waiting: 0,
          failed: 0,
        },
        {
          id: second.json!.id,
          url: "https://hooks.example.com/b",
          eventTypes: ["client.registered"],
          enabled: true,
          disabledReason: null,
          waiting: 0,
          failed: 0,
        },
      ],
    });
    expect(JSON.stringify(listed)).not.toContain("whsec_");
    expect(listed.lines[0]).toContain("every event");

    expect((await webhookRemove({ id: first.json!.id })).json).toEqual({
      id: first.json!.id,
      removed: true,
      undelivered: 0,
    });
    expect(((await webhookList({ partner: String(partner.id) })).json!.endpoints as unknown[]).length).toBe(1);
    await expect(webhookRemove({ id: first.json!.id })).rejects.toThrow("No such webhook endpoint");
  });

  it("names what is missing or malformed", async () => {
    await expect(webhookAdd({ url: "https://hooks.example.com/a" })).rejects.toThrow(ZodError);
    await expect(webhookAdd({ partner: "x", url: "https://hooks.example.com/a" })).rejects.toThrow(
      "--partner takes a partnerId",
    );
    await expect(webhookAdd({ partner: "2147483000", url: "https://hooks.example.com/a" })).rejects.toThrow(
      "No such partner",
    );
    const partner = await createTestPartner();
    await expect(webhookAdd({ partner: String(partner.id), url: "http://hooks.example.com/a" })).rejects.toThrow(
      "Refused: the URL must use https",
    );
    await expect(webhookList({})).rejects.toThrow("--partner is required");
    await expect(webhookRemove({ id: "not-an-id" })).rejects.toThrow("endpointId must be an endpoint's id");
  });
});
