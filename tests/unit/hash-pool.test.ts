import { verify } from "@node-rs/argon2";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
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
    const hashes = await Promise.all(
      ["one", "two", "three", "four", "five"].map((p) => pool.hash(`Pass-${p}-1!`, ARGON2_PARAMS)),
    );
    expect(new Set(hashes).size).toBe(5);
    for (const h of hashes) expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verify(hashes[0]!, "Pass-one-1!")).toBe(true);
    expect(await pool.verify(hashes[1]!, "Pass-two-1!")).toBe(true);
    expect(await pool.verify(hashes[1]!, "Pass-one-1!")).toBe(false);
    await expect(pool.verify("not a hash", "x")).rejects.toThrow();
  });

  it("let a process that hashed exit, idle threads and all, also when it runs as an ES module", async () => {
    const hasher = path.resolve(import.meta.dirname, "../../server/passwords/hasher.ts");
    const script = `const { hashPassword, verifyPassword } = await import(${JSON.stringify(hasher)}); const h = await hashPassword("Pass-1!"); console.log(await verifyPassword(h, "Pass-1!"));`;
    // A hang here (idle threads keeping the process alive) fails on the timeout.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { timeout: 20_000, env: { ...process.env, LOG_LEVEL: "error" } },
    );
    expect(stdout.trim()).toBe("true");
  });

  it.runIf(os.platform() === "linux")(
    "run below the normal priority, leaving the request threads at theirs",
    async () => {
      await pool.hash("warm-up", ARGON2_PARAMS);
      const nice = threadNiceValues();
      expect(nice).toContain(os.constants.priority.PRIORITY_BELOW_NORMAL);
      // The main thread (tid = pid) keeps the normal priority.
      expect(os.getPriority(process.pid)).toBe(0);
    },
  );
});
