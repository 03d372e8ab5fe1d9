import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, asc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { getDb } from "../../db/client";
import { auditEvents, partnerHosts, partners } from "../../db/schema";
import { config } from "../../env";
import { partnerCreate } from "../../server/cli/commands";
import { AppError, fieldErrorsFromIssues } from "../../server/errors";
import { partnerBaseUrl } from "../../server/partners/hosts";
import { callerFor, createTestStaff } from "../support/staff";

type TestStaff = Awaited<ReturnType<typeof createTestStaff>>;

let admin: TestStaff;
let kam: TestStaff;
let otherKam: TestStaff;
let operations: TestStaff;
beforeAll(async () => {
  [admin, kam, otherKam, operations] = await Promise.all([
    createTestStaff("admin"),
    createTestStaff("kam"),
    createTestStaff("kam"),
    createTestStaff("operations"),
  ]);
});

/** A hostname no other test uses. */
const freshHost = (label = "app") => `${label}-${randomUUID().slice(0, 8)}.partners.example`;

async function partnerOf(staff: TestStaff, settings: Record<string, unknown> = {}) {
  return callerFor(staff).partner.create({
    name: `Hosts ${randomUUID().slice(0, 8)}`,
    quotaPerIpHour: 1000,
    quotaTotalHour: 100_000,
    ...settings,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(TRPCError);
    return e as TRPCError;
  }
  throw new Error("expected the procedure to fail");
}

function fieldErrors(error: TRPCError): Array<{ path: string; message: string }> {
  if (error.cause instanceof ZodError) return fieldErrorsFromIssues(error.cause.issues);
  if (error.cause instanceof AppError) return error.cause.fields;
  return [];
}

async function storedHosts(partnerId: number) {
  const rows = await getDb()
    .select({ host: partnerHosts.host })
    .from(partnerHosts)
    .where(eq(partnerHosts.partnerId, partnerId))
    .orderBy(asc(partnerHosts.createdAt));
  return rows.map((r) => r.host);
}

async function settingsEvents(partnerId: number) {
  return getDb()
    .select({ actorId: auditEvents.actorId, before: auditEvents.before, after: auditEvents.after })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.entityType, "partner"),
        eq(auditEvents.entityId, String(partnerId)),
        eq(auditEvents.action, "partner.settings_changed"),
      ),
    )
    .orderBy(asc(auditEvents.id));
}

describe("partner hosts and origins in the back office", () => {
  it("a KAM sets their partner's hosts and origins; they read back in order, and only what changed is audited", async () => {
    const partner = await partnerOf(kam);
    const [first, second] = [freshHost("first"), freshHost("second")];
    const saved = await callerFor(kam).partner.setHosts({
      partnerId: partner.id,
      hosts: [first.toUpperCase(), second],
      allowedOrigins: ["https://app.acme.example"],
    });
    expect(saved).toMatchObject({
      hosts: [first, second],
      allowedOrigins: ["https://app.acme.example"],
      changed: ["hosts", "allowedOrigins"],
    });
    expect(await callerFor(kam).partner.hosts({ partnerId: partner.id })).toEqual({
      partnerId: partner.id,
      sandbox: false,
      hosts: [first, second],
      allowedOrigins: ["https://app.acme.example"],
    });

    // A new host joins the end; the first stays first, whatever order the list is sent in.
    const third = freshHost("third");
    expect(
      (
        await callerFor(kam).partner.setHosts({
          partnerId: partner.id,
          hosts: [third, second, first],
          allowedOrigins: ["https://app.acme.example"],
        })
      ).changed,
    ).toEqual(["hosts"]);
    expect(await storedHosts(partner.id)).toEqual([first, second, third]);
    expect(await partnerBaseUrl(partner)).toBe(`https://${first}`);

    // Sending the same lists again changes and records nothing.
    expect(
      (
        await callerFor(kam).partner.setHosts({
          partnerId: partner.id,
          hosts: [first, second, third],
          allowedOrigins: ["https://app.acme.example"],
        })
      ).changed,
    ).toEqual([]);
    expect(await settingsEvents(partner.id)).toEqual([
      {
        actorId: kam.id,
        before: { hosts: [], allowedOrigins: [] },
        after: { hosts: [first, second], allowedOrigins: ["https://app.acme.example"] },
      },
      { actorId: kam.id, before: { hosts: [first, second] }, after: { hosts: [first, second, third] } },
    ]);
  });

  it("email links use APP_URL until a partner has a host, then its first host", async () => {
    const partner = await partnerOf(kam);
    expect(await partnerBaseUrl(partner)).toBe(config().APP_URL);
    const host = freshHost("mail");
    await callerFor(kam).partner.setHosts({ partnerId: partner.id, hosts: [host], allowedOrigins: [] });
    expect(await partnerBaseUrl(partner)).toBe(`https://${host}`);
  });

  it("refuses a host another partner holds, naming hosts and the host, and changes nothing", async () => {
    const [mine, theirs] = [await partnerOf(kam), await partnerOf(otherKam)];
    const [shared, free] = [freshHost("shared"), freshHost("free")];
    await callerFor(otherKam).partner.setHosts({ partnerId: theirs.id, hosts: [shared], allowedOrigins: [] });

    const refused = await failureOf(
      callerFor(kam).partner.setHosts({
        partnerId: mine.id,
        hosts: [free, shared.toUpperCase()],
        allowedOrigins: ["https://mine.example"],
      }),
    );
    expect(refused.code).toBe("CONFLICT");
    expect(fieldErrors(refused)).toEqual([{ path: "hosts", message: expect.stringContaining(shared) }]);
    expect(await callerFor(kam).partner.hosts({ partnerId: mine.id })).toMatchObject({ hosts: [], allowedOrigins: [] });
    expect(await storedHosts(theirs.id)).toEqual([shared]);

    // Released by its partner, the host is free for another.
    await callerFor(otherKam).partner.setHosts({ partnerId: theirs.id, hosts: [], allowedOrigins: [] });
    expect(
      (await callerFor(kam).partner.setHosts({ partnerId: mine.id, hosts: [shared], allowedOrigins: [] })).hosts,
    ).toEqual([shared]);
  });

  it("two partners claiming one host at the same moment: exactly one gets it, the other a field error", async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([partnerOf(admin), partnerOf(admin)]);
      const host = freshHost("race");
      const outcomes = await Promise.allSettled(
        [a, b].map((p) => callerFor(admin).partner.setHosts({ partnerId: p.id, hosts: [host], allowedOrigins: [] })),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected")!.reason as TRPCError;
      expect(refused.code).toBe("CONFLICT");
      expect(fieldErrors(refused).map((f) => f.path)).toEqual(["hosts"]);
      const owners = await getDb()
        .select({ partnerId: partnerHosts.partnerId })
        .from(partnerHosts)
        .where(eq(partnerHosts.host, host));
      expect(owners).toHaveLength(1);
    }
  });

  it("origins are https; http://localhost only for a sandbox partner; hosts are bare hostnames", async () => {
    const live = await partnerOf(kam);
    for (const origin of ["http://app.example.com", "https://app.example.com/path", "*", "null"]) {
      const refused = await failureOf(
        callerFor(kam).partner.setHosts({ partnerId: live.id, hosts: [], allowedOrigins: [origin] }),
      );
      expect(refused.code, origin).toBe("BAD_REQUEST");
      expect(fieldErrors(refused).map((f) => f.path)).toEqual(["allowedOrigins.0"]);
    }
    const local = await failureOf(
      callerFor(kam).partner.setHosts({
        partnerId: live.id,
        hosts: [],
        allowedOrigins: ["https://app.example.com", "http://localhost:5173"],
      }),
    );
    expect(fieldErrors(local)).toEqual([
      { path: "allowedOrigins", message: expect.stringMatching(/sandbox partners only/) },
    ]);

    const sandbox = await partnerOf(kam, { sandbox: true });
    const saved = await callerFor(kam).partner.setHosts({
      partnerId: sandbox.id,
      hosts: [],
      allowedOrigins: ["http://localhost:5173", "https://app.example.com/"],
    });
    expect(saved.allowedOrigins).toEqual(["http://localhost:5173", "https://app.example.com"]);

    const badHost = await failureOf(
      callerFor(kam).partner.setHosts({ partnerId: live.id, hosts: ["https://app.example.com"], allowedOrigins: [] }),
    );
    expect(fieldErrors(badHost).map((f) => f.path)).toEqual(["hosts.0"]);
  });

  it("a KAM manages only their own partners' hosts, an admin every partner's, operations none", async () => {
    const partner = await partnerOf(kam);
    const input = { partnerId: partner.id, hosts: [freshHost("scope")], allowedOrigins: [] };
    expect((await failureOf(callerFor(otherKam).partner.setHosts(input))).code).toBe("NOT_FOUND");
    expect((await failureOf(callerFor(otherKam).partner.hosts({ partnerId: partner.id }))).code).toBe("NOT_FOUND");
    expect((await failureOf(callerFor(operations).partner.setHosts(input))).code).toBe("FORBIDDEN");
    expect((await callerFor(admin).partner.setHosts(input)).hosts).toEqual(input.hosts);
    expect((await settingsEvents(partner.id)).map((e) => e.actorId)).toEqual([admin.id]);
  });
});

describe("gatehouse partner create --host --origin", () => {
  it("creates the partner with its hosts (in order) and origins", async () => {
    const [first, second] = [freshHost("cli"), freshHost("cli2")];
    const result = await partnerCreate({
      name: `CLI hosts ${randomUUID().slice(0, 6)}`,
      host: [first, second],
      origin: ["https://wallet.example"],
    });
    const partnerId = result.json!.partnerId as number;
    expect(await storedHosts(partnerId)).toEqual([first, second]);
    const [row] = await getDb()
      .select({ origins: partners.allowedOrigins })
      .from(partners)
      .where(eq(partners.id, partnerId));
    expect(row!.origins).toEqual(["https://wallet.example"]);
    expect(result.lines.join("\n")).toContain(`emails link to https://${first}`);
  });

  it("refuses a taken host, a bad origin and a live partner's localhost origin, and creates no partner", async () => {
    const taken = freshHost("taken");
    await partnerCreate({ name: `Holder ${randomUUID().slice(0, 6)}`, host: [taken] });
    const name = `Not created ${randomUUID()}`;
    await expect(partnerCreate({ name, host: [taken] })).rejects.toThrow(/already the host of another partner/);
    await expect(partnerCreate({ name, origin: ["http://wallet.example"] })).rejects.toThrow(/must use https/);
    await expect(partnerCreate({ name, origin: ["http://localhost:3000"] })).rejects.toThrow(/sandbox partners only/);
    await expect(partnerCreate({ name, host: ["not a host"] })).rejects.toThrow(/hostname/);
    expect(await getDb().select({ id: partners.id }).from(partners).where(eq(partners.name, name))).toEqual([]);

    const sandbox = await partnerCreate({
      name: `Sandbox ${randomUUID().slice(0, 6)}`,
      sandbox: true,
      origin: ["http://localhost:3000"],
    });
    expect(sandbox.json!.partnerId).toEqual(expect.any(Number));
  });
});
