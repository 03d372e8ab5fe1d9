import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { readEmbeddedOwner } from "../../db/embedded-owner";
import { EmbeddedDatabaseBusyError, startEmbeddedDatabase } from "../../db/embedded-server";
import { runMigrations } from "../../db/migrate";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const folders: string[] = [];

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-embedded-"));
  folders.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

async function withPool<T>(url: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

function cli(args: string[], dataDir: string) {
  const env = { ...process.env, GATEHOUSE_DATA_DIR: dataDir, LOG_LEVEL: "error" } as NodeJS.ProcessEnv;
  delete env.DATABASE_URL;
  return run("npx", ["tsx", "scripts/gatehouse.ts", ...args], { cwd: root, env, timeout: 60_000 });
}

// Each test opens fresh PGlite folders (initdb takes seconds, more on a busy machine).
describe("embedded PostgreSQL (PGlite)", { timeout: 120_000 }, () => {
  it("keeps data across a restart of the owning process", async () => {
    const dir = tempDataDir();
    const first = await startEmbeddedDatabase(dir, "test");
    await withPool(first.url, async (pool) => {
      await pool.query("create table kept (id int primary key, note text)");
      await pool.query("insert into kept values (1, 'survives restarts')");
    });
    await first.stop();
    expect(readEmbeddedOwner(dir)).toBeUndefined();

    const second = await startEmbeddedDatabase(dir, "test");
    const rows = await withPool(second.url, (pool) => pool.query("select note from kept where id = 1"));
    expect(rows.rows).toEqual([{ note: "survives restarts" }]);
    await second.stop();
  });

  it("refuses a second opener of the same data folder with a clear message", async () => {
    const dir = tempDataDir();
    const owner = await startEmbeddedDatabase(dir, "test");
    try {
      const second = startEmbeddedDatabase(dir, "test");
      await expect(second).rejects.toBeInstanceOf(EmbeddedDatabaseBusyError);
      await expect(second).rejects.toThrow(/already open in process \d+/);
    } finally {
      await owner.stop();
    }
  });

  it("takes over a lock left by a process that died", async () => {
    const dir = tempDataDir();
    // A pid that cannot be alive: pids are below 2^22 on Linux.
    writeFileSync(
      path.join(dir, "owner.json"),
      JSON.stringify({
        pid: 2 ** 22 + 7,
        url: "postgres://x@127.0.0.1:1/x",
        role: "server",
        startedAt: new Date().toISOString(),
      }),
    );
    expect(readEmbeddedOwner(dir)).toBeUndefined();
    const db = await startEmbeddedDatabase(dir, "test");
    expect(readEmbeddedOwner(dir)?.pid).toBe(process.pid);
    await db.stop();
  });

  it("serves many connections at once without mixing their statements or transactions", async () => {
    const dir = tempDataDir();
    const db = await startEmbeddedDatabase(dir, "test");
    try {
      await withPool(db.url, async (setup) => {
        await setup.query("create table counter (id int primary key, n int not null)");
        await setup.query("insert into counter select g, 0 from generate_series(1, 20) g");
      });
      const pools = [
        new pg.Pool({ connectionString: db.url, max: 6 }),
        new pg.Pool({ connectionString: db.url, max: 6 }),
      ];
      let wrong = 0;
      await Promise.all(
        Array.from({ length: 400 }, async (_, i) => {
          const pool = pools[i % 2]!;
          const id = (i % 20) + 1;
          if (i % 2 === 0) {
            const c = await pool.connect();
            try {
              await c.query("begin");
              const { rows } = await c.query<{ n: number }>("select n from counter where id = $1 for update", [id]);
              await c.query("update counter set n = $2 where id = $1", [id, rows[0]!.n + 1]);
              await c.query("commit");
            } finally {
              c.release();
            }
          } else {
            const { rows } = await pool.query<{ id: number }>("select id from counter where id = $1", [id]);
            if (rows[0]?.id !== id) wrong++;
          }
        }),
      );
      await Promise.all(pools.map((p) => p.end()));
      expect(wrong).toBe(0);
      const total = await withPool(db.url, (pool) =>
        pool.query<{ sum: string }>("select sum(n)::text as sum from counter"),
      );
      // 200 read-modify-write transactions, none lost.
      expect(total.rows[0]!.sum).toBe("200");
    } finally {
      await db.stop();
    }
  });

  it("lets the admin CLI work while another process owns the folder, and prints --json alone on its last line", async () => {
    const dir = tempDataDir();
    const owner = await startEmbeddedDatabase(dir, "server");
    try {
      await withPool(owner.url, (pool) => runMigrations(pool));
      const { stdout } = await cli(
        ["partner", "create", "--name", "CLI while running", "--sandbox", "--quota-ip", "5", "--json"],
        dir,
      );
      const last = stdout.trim().split("\n").at(-1)!;
      const created = JSON.parse(last) as { partnerId: number; masterKey: string };
      expect(created.partnerId).toBeGreaterThan(0);
      expect(created.masterKey).toMatch(/^ghk_/);
      const rows = await withPool(owner.url, (pool) =>
        pool.query("select name, sandbox, quota_per_ip_hour from partners where id = $1", [created.partnerId]),
      );
      expect(rows.rows).toEqual([{ name: "CLI while running", sandbox: true, quota_per_ip_hour: 5 }]);
      // The owner is still the same process: the CLI connected rather than opening the folder.
      expect(readEmbeddedOwner(dir)?.pid).toBe(process.pid);
    } finally {
      await owner.stop();
    }
  }, 90_000);

  it("the CLI opens the folder itself when nothing runs, and reports bad flags clearly", async () => {
    const dir = tempDataDir();
    const migrated = await cli(["migrate"], dir);
    expect(migrated.stdout).toContain("Migrations applied.");
    const staff = await cli(["staff", "create", "--email", "ops@example.test", "--role", "operations", "--json"], dir);
    const created = JSON.parse(staff.stdout.trim().split("\n").at(-1)!) as { role: string; password?: string };
    expect(created.role).toBe("operations");
    expect(created.password).toBeTruthy();
    await expect(cli(["partner", "create", "--name", "x"], dir)).rejects.toMatchObject({
      stderr: expect.stringContaining("--name"),
    });
    await expect(
      cli(["staff", "create", "--email", "ops2@example.test", "--role", "pilot"], dir),
    ).rejects.toMatchObject({ stderr: expect.stringContaining("role") });
    expect(readEmbeddedOwner(dir)).toBeUndefined();
  }, 120_000);
});
