import { verify } from "@node-rs/argon2";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { ARGON2_PARAMS } from "../../server/passwords/hasher";
import { HashPool } from "../../server/passwords/hash-pool";

const pool = new HashPool(2);
afterAll(() => pool.close());

/** The nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      return [Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])];
    } catch {
      return [];
    }
  });
}

describe("the password hashing threads", () => {
  it("produce argon2id hashes with the app's parameters that verify, and verify them", async () => {
    const hashes = await Promise.all(["one", "two", "three", "four", "five"].map((p) => pool.hash(`Pass-${p}-1!`, ARGON2_PARAMS)));
    expect(new Set(hashes).size).toBe(5);
    for (const h of hashes) expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verify(hashes[0]!, "Pass-one-1!")).toBe(true);
    expect(await pool.verify(hashes[1]!, "Pass-two-1!")).toBe(true);
    expect(await pool.verify(hashes[1]!, "Pass-one-1!")).toBe(false);
    await expect(pool.verify("not a hash", "x")).rejects.toThrow();
  });

  it.runIf(os.platform() === "linux")("run below the normal priority, leaving the request threads at theirs", async () => {
    await pool.hash("warm-up", ARGON2_PARAMS);
    const nice = threadNiceValues();
    expect(nice).toContain(os.constants.priority.PRIORITY_BELOW_NORMAL);
    // The main thread (tid = pid) keeps the normal priority.
    expect(os.getPriority(process.pid)).toBe(0);
  });
});
