import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { log } from "../../server/log";

/** Every line written to stdout/stderr while `fn` runs. */
async function captured(fn: () => Promise<void> | void): Promise<string> {
  const lines: string[] = [];
  const grab = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(grab);
  vi.spyOn(process.stderr, "write").mockImplementation(grab);
  try {
    await fn();
  } finally {
    vi.restoreAllMocks();
  }
  return lines.join("");
}

afterEach(() => vi.restoreAllMocks());

describe("log lines", () => {
  it("never carry values of secret-looking fields, at any depth", async () => {
    const out = await captured(() =>
      log.error("failed", {
        password: "Hunter2!",
        nested: { refreshToken: "rt-123", masterKey: "ghk_abc", totpSecret: "JBSW", codeHash: "deadbeef" },
        email: "a@b.test",
      }),
    );
    for (const secret of ["Hunter2!", "rt-123", "ghk_abc", "JBSW", "deadbeef"]) expect(out).not.toContain(secret);
    expect(out).toContain("a@b.test");
  });

  it("show a failed query's statement and database error, but never its parameters", async () => {
    const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$secretsecretsecret";
    let failure: unknown;
    try {
      // A real failed query through drizzle: its error message lists the parameters sent.
      await getDb().execute(sql`select ${hash}::text, ${"not a number"}::int`);
    } catch (error) {
      failure = error;
    }
    expect(String((failure as Error).message)).toContain(hash);
    const out = await captured(() => log.error("request failed", { error: failure }));
    expect(out).not.toContain(hash);
    expect(out).toContain("Failed query");
    expect(out).toContain("params: [redacted]");
    // The database's own reason, with its code, stays: that is what an operator needs.
    expect(out).toContain("22P02");
  });
});
