import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "../../db/client";
import { quotaCounters } from "../../db/schema";
import { consumeQuota, peekQuota, releaseQuota, secondsUntil, windowFor } from "../../server/quotas/quota";

afterAll(async () => {
  await closeDb();
});

const iso = (s: string) => new Date(s);
const scope = (tag: string) => `test-quota:${tag}:${randomUUID()}`;

describe("windowFor", () => {
  it("puts a time in the fixed window that contains it", () => {
    expect(windowFor(iso("2025-03-04T10:30:15.250Z"), 3600)).toEqual({
      start: iso("2025-03-04T10:00:00.000Z"),
      end: iso("2025-03-04T11:00:00.000Z"),
    });
    expect(windowFor(iso("2025-03-04T10:30:15.250Z"), 60)).toEqual({
      start: iso("2025-03-04T10:30:00.000Z"),
      end: iso("2025-03-04T10:31:00.000Z"),
    });
    expect(windowFor(iso("2025-03-04T10:30:15.250Z"), 15 * 60)).toEqual({
      start: iso("2025-03-04T10:30:00.000Z"),
      end: iso("2025-03-04T10:45:00.000Z"),
    });
  });

  it("a window includes its start and excludes its end", () => {
    expect(windowFor(iso("2025-03-04T10:00:00.000Z"), 3600).start).toEqual(iso("2025-03-04T10:00:00.000Z"));
    expect(windowFor(iso("2025-03-04T10:59:59.999Z"), 3600).start).toEqual(iso("2025-03-04T10:00:00.000Z"));
    expect(windowFor(iso("2025-03-04T11:00:00.000Z"), 3600).start).toEqual(iso("2025-03-04T11:00:00.000Z"));
  });

  it("every window is exactly windowSeconds long", () => {
    for (const seconds of [1, 60, 900, 3600, 86_400]) {
      const w = windowFor(iso("2025-07-19T23:59:59.999Z"), seconds);
      expect(w.end.getTime() - w.start.getTime()).toBe(seconds * 1000);
    }
  });
});

describe("secondsUntil (Retry-After)", () => {
  const end = iso("2025-03-04T11:00:00.000Z");
  it("counts whole seconds, rounding up", () => {
    expect(secondsUntil(end, iso("2025-03-04T10:00:00.000Z"))).toBe(3600);
    expect(secondsUntil(end, iso("2025-03-04T10:59:58.500Z"))).toBe(2);
    expect(secondsUntil(end, iso("2025-03-04T10:59:59.000Z"))).toBe(1);
  });

  it("is never 0, even at or after the end", () => {
    expect(secondsUntil(end, iso("2025-03-04T10:59:59.999Z"))).toBe(1);
    expect(secondsUntil(end, end)).toBe(1);
    expect(secondsUntil(end, iso("2025-03-04T11:00:05.000Z"))).toBe(1);
  });
});

describe("consumeQuota (against the database)", () => {
  // A moment inside the current hour, so the rows expire in the future and nothing purges them mid-test.
  const windowSeconds = 3600;
  const current = windowFor(new Date(), windowSeconds);
  const now = new Date(current.start.getTime() + 1000);

  it("allows up to the limit in one window and refuses the next use with the seconds left in the window", async () => {
    const s = scope("limit3");
    const db = getDb();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await consumeQuota(db, { scope: s, limit: 3, windowSeconds, now }));
    expect(results.map((r) => [r.allowed, r.count])).toEqual([
      [true, 1],
      [true, 2],
      [true, 3],
      [false, 4],
    ]);
    expect(results[3]!.retryAfterSeconds).toBe(windowSeconds - 1);
    expect(await peekQuota(db, { scope: s, windowSeconds, now })).toBe(4);
  });

  it("starts again from 1 in the next window", async () => {
    const s = scope("next-window");
    const db = getDb();
    for (let i = 0; i < 4; i++) await consumeQuota(db, { scope: s, limit: 3, windowSeconds, now });
    expect((await consumeQuota(db, { scope: s, limit: 3, windowSeconds, now })).allowed).toBe(false);
    const lastMsOfWindow = new Date(current.end.getTime() - 1);
    const stillRefused = await consumeQuota(db, { scope: s, limit: 3, windowSeconds, now: lastMsOfWindow });
    expect(stillRefused).toEqual({ allowed: false, count: 6, retryAfterSeconds: 1, windowStart: current.start });
    const next = await consumeQuota(db, { scope: s, limit: 3, windowSeconds, now: current.end });
    expect(next).toEqual({ allowed: true, count: 1, retryAfterSeconds: windowSeconds, windowStart: current.end });
    // The earlier window keeps its own count.
    expect(await peekQuota(db, { scope: s, windowSeconds, now })).toBe(6);
  });

  it("releaseQuota gives one use back in the window it was counted in, never below 0, and leaves the next window alone", async () => {
    const s = scope("release");
    const db = getDb();
    const first = await consumeQuota(db, { scope: s, limit: 2, windowSeconds, now });
    await consumeQuota(db, { scope: s, limit: 2, windowSeconds, now });
    await consumeQuota(db, { scope: s, limit: 2, windowSeconds, now: current.end });
    await releaseQuota(db, { scope: s, windowStart: first.windowStart });
    expect(await peekQuota(db, { scope: s, windowSeconds, now })).toBe(1);
    expect(await peekQuota(db, { scope: s, windowSeconds, now: current.end })).toBe(1);
    for (let i = 0; i < 3; i++) await releaseQuota(db, { scope: s, windowStart: first.windowStart });
    expect(await peekQuota(db, { scope: s, windowSeconds, now })).toBe(0);
    expect((await consumeQuota(db, { scope: s, limit: 2, windowSeconds, now })).count).toBe(1);
  });

  it("keeps scopes apart", async () => {
    const a = scope("a");
    const b = scope("b");
    const db = getDb();
    await consumeQuota(db, { scope: a, limit: 1, windowSeconds, now });
    expect((await consumeQuota(db, { scope: a, limit: 1, windowSeconds, now })).allowed).toBe(false);
    expect(await consumeQuota(db, { scope: b, limit: 1, windowSeconds, now })).toMatchObject({
      allowed: true,
      count: 1,
    });
  });

  it("a limit of 0 always allows and writes nothing", async () => {
    const s = scope("off");
    const db = getDb();
    for (let i = 0; i < 5; i++)
      expect((await consumeQuota(db, { scope: s, limit: 0, windowSeconds, now })).allowed).toBe(true);
    const rows = await db.select().from(quotaCounters).where(eq(quotaCounters.scope, s));
    expect(rows).toEqual([]);
  });

  it("30 concurrent uses with a limit of 10: exactly 10 are allowed and every count is distinct", async () => {
    const s = scope("concurrent");
    const db = getDb();
    const results = await Promise.all(
      Array.from({ length: 30 }, () => consumeQuota(db, { scope: s, limit: 10, windowSeconds, now })),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(results.filter((r) => r.allowed).every((r) => r.count <= 10)).toBe(true);
    const [row] = await db
      .select({ count: quotaCounters.count, expiresAt: quotaCounters.expiresAt })
      .from(quotaCounters)
      .where(eq(quotaCounters.scope, s));
    expect(row).toEqual({ count: 30, expiresAt: current.end });
  });
});
