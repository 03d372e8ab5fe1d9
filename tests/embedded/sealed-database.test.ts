import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createPublicKey, generateKeyPairSync, randomUUID } from "node:crypto";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { calculateJwkThumbprint, exportJWK, importPKCS8, SignJWT } from "jose";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { readEmbeddedOwner } from "../../db/embedded-owner";
import { startEmbeddedDatabase } from "../../db/embedded-server";
import { runMigrations } from "../../db/migrate";

const folders: string[] = [];
const savedEnv = { ...process.env };

function tempDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-sealed-"));
  folders.push(dir);
  return dir;
}

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

async function withPool<T>(url: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

const mode = (file: string) => statSync(file).mode & 0o777;

/** Every path under dir (dir included) whose mode lets group or others in. */
function openToOthers(dir: string): string[] {
  const found = mode(dir) & 0o077 ? [dir] : [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...openToOthers(full));
    else if (mode(full) & 0o077) found.push(full);
  }
  return found;
}

/** What the previous release left on disk: everything 0755/0644, no socket password. */
function asLeftByPreviousRelease(dir: string): void {
  rmSync(path.join(dir, "wire-password"), { force: true });
  const open = (p: string) => {
    const isDir = statSync(p).isDirectory();
    chmodSync(p, isDir ? 0o755 : 0o644);
    if (isDir) for (const entry of readdirSync(p)) open(path.join(p, entry));
  };
  open(dir);
}

/** Sends a startup message and then a query without authenticating; returns the backend's messages until it closes. */
function queryWithoutPassword(port: number, query: string): Promise<Array<{ type: string; body: Buffer }>> {
  const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
  const startup = Buffer.alloc(8 + params.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4);
  params.copy(startup, 8);
  const text = Buffer.from(`${query}\0`);
  const q = Buffer.alloc(5 + text.length);
  q.write("Q", 0);
  q.writeInt32BE(4 + text.length, 1);
  text.copy(q, 5);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(Buffer.concat([startup, q])));
    let received = Buffer.alloc(0);
    socket.on("data", (chunk) => (received = Buffer.concat([received, chunk])));
    socket.on("error", reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error("the server kept the unauthenticated connection open"));
    });
    socket.on("close", () => {
      const messages: Array<{ type: string; body: Buffer }> = [];
      for (let at = 0; at + 5 <= received.length;) {
        const length = received.readInt32BE(at + 1);
        messages.push({ type: String.fromCharCode(received[at]!), body: received.subarray(at + 5, at + 1 + length) });
        at += 1 + length;
      }
      resolve(messages);
    });
  });
}

const sqlState = (errorBody: Buffer) =>
  errorBody
    .toString()
    .split("\0")
    .find((field) => field.startsWith("C"))
    ?.slice(1);

/**
 * The app's own modules, loaded afresh against the environment given (each
 * caches its configuration, pool and key ring for the life of the module).
 */
async function appModules(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.resetModules();
  return {
    client: await import("../../db/client"),
    keys: await import("../../server/tokens/signing-keys"),
    tokens: await import("../../server/tokens/access-token"),
    setup: await import("../../server/setup/database"),
  };
}

const storedKeys = (pool: pg.Pool) =>
  pool
    .query<{ kid: string; private_pem: string; retired: boolean }>(
      "select kid, private_pem, retired_at is not null as retired from signing_keys order by created_at",
    )
    .then((r) => r.rows);

// Each test opens fresh PGlite folders (initdb takes seconds, more on a busy machine).
describe("a sealed embedded database", { timeout: 120_000 }, () => {
  it("keeps the data folder private (0700, files 0600), and closes a folder an earlier release left 0755/0644", async () => {
    const dir = tempDataDir();
    chmodSync(dir, 0o755);
    const first = await startEmbeddedDatabase(dir, "test");
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, "owner.json"))).toBe(0o600);
    expect(mode(path.join(dir, "wire-password"))).toBe(0o600);
    expect(openToOthers(dir)).toEqual([]);
    await first.stop();
    expect(openToOthers(dir)).toEqual([]);

    asLeftByPreviousRelease(dir);
    expect(openToOthers(dir).length).toBeGreaterThan(100);
    const second = await startEmbeddedDatabase(dir, "test");
    expect(openToOthers(dir)).toEqual([]);
    await second.stop();
  });

  it("refuses a connection without the password or with a wrong one (28P01) before it reaches the database", async () => {
    const dir = tempDataDir();
    const db = await startEmbeddedDatabase(dir, "test");
    try {
      const url = new URL(readEmbeddedOwner(dir)!.url);
      const port = Number(url.port);
      const messages = await queryWithoutPassword(port, "create table intruder (id int)");
      expect(messages.map((m) => m.type)).toEqual(["R", "E"]);
      expect(messages[0]!.body.readInt32BE(0)).toBe(10); // AuthenticationSASL
      expect(sqlState(messages[1]!.body)).toBe("28P01");

      const wrong = new pg.Client({
        host: "127.0.0.1",
        port,
        user: "postgres",
        database: "postgres",
        password: "not-the-password",
      });
      await expect(wrong.connect()).rejects.toMatchObject({ code: "28P01" });
      const none = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
      await expect(none.connect()).rejects.toThrow(/password/);

      // The owner file's url carries the password kept in the folder, and it gets in.
      expect(url.password).toBe(readFileSync(path.join(dir, "wire-password"), "utf8"));
      expect(url.password.length).toBeGreaterThanOrEqual(22);
      const intruder = await withPool(url.href, (pool) =>
        pool.query<{ t: string | null }>("select to_regclass('intruder')::text as t"),
      );
      expect(intruder.rows).toEqual([{ t: null }]);
    } finally {
      await db.stop();
    }
  });

  it("stores the generated signing key sealed; a key that no longer opens is retired and replaced, with one warning", async () => {
    const dir = tempDataDir();
    const db = await startEmbeddedDatabase(dir, "test");
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      await runMigrations(pool);
      const subject = {
        id: randomUUID(),
        partnerId: 1000,
        email: "sealed@example.test",
        countryCode: null,
        userType: "CUSTOMER",
      };

      const before = await appModules({
        DATABASE_URL: db.url,
        AUTH_SECRET: "first-auth-secret-for-the-sealed-key-test",
      });
      const token = await before.tokens.signAccessToken(subject, 600);
      await expect(before.tokens.verifyAccessToken(token)).resolves.toMatchObject({ clientId: subject.id });
      const [sealed] = await storedKeys(pool);
      expect(sealed!.private_pem).not.toContain("BEGIN");
      expect(sealed!.private_pem).toMatch(/^v1\./);
      await before.client.closeDb();

      const warnings = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const after = await appModules({ AUTH_SECRET: "second-auth-secret-for-the-sealed-key-test", LOG_LEVEL: "warn" });
      const ring = await after.keys.getKeyRing();
      expect(ring.active.kid).not.toBe(sealed!.kid);
      expect(ring.publicJwks.map((k) => k.kid)).not.toContain(sealed!.kid);
      await expect(after.tokens.verifyAccessToken(token)).rejects.toMatchObject({ code: "invalid_token" });
      const fresh = await after.tokens.signAccessToken(subject, 600);
      await expect(after.tokens.verifyAccessToken(fresh)).resolves.toMatchObject({ clientId: subject.id });
      await after.client.closeDb();
      const again = await appModules({});
      expect((await again.keys.getKeyRing()).active.kid).toBe(ring.active.kid);
      await again.client.closeDb();
      const logged = warnings.mock.calls
        .map(([line]) => String(line))
        .filter((line) => line.includes("signing keys cannot be decrypted"));
      warnings.mockRestore();
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain(sealed!.kid);
      expect(await storedKeys(pool)).toMatchObject([
        { kid: sealed!.kid, retired: true },
        { kid: ring.active.kid, retired: false },
      ]);
    } finally {
      await pool.end();
      await db.stop();
    }
  });

  it("upgrades a folder from the previous release: modes closed, a password set, the plain key sealed under the same kid, data kept", async () => {
    const dir = tempDataDir();
    // The previous release: the same schema, a signing key stored as plain PEM, a client with a session.
    const old = await startEmbeddedDatabase(dir, "server");
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const publicJwk = await exportJWK(createPublicKey(pem));
    const kid = await calculateJwkThumbprint(publicJwk);
    const clientId = randomUUID();
    let partnerId = 0;
    await withPool(old.url, async (pool) => {
      await runMigrations(pool);
      await pool.query("insert into signing_keys (kid, public_jwk, private_pem) values ($1, $2, $3)", [
        kid,
        { ...publicJwk, alg: "RS256", use: "sig", kid },
        pem,
      ]);
      partnerId = (
        await pool.query<{ id: number }>(
          "insert into partners (name, sandbox) values ('Before the upgrade', true) returning id",
        )
      ).rows[0]!.id;
      await pool.query(
        "insert into clients (id, partner_id, email, password_hash, created_via) values ($1, $2, 'kept@example.test', 'argon2-hash', 'partner_api')",
        [clientId, partnerId],
      );
      await pool.query(
        "insert into refresh_tokens (family_id, client_id, partner_id, token_hash, flavour, expires_at) values ($1, $2, $3, $4, 'partner', now() + interval '30 days')",
        [randomUUID(), clientId, partnerId, `hash-${randomUUID()}`],
      );
    });
    await old.stop();
    asLeftByPreviousRelease(dir);
    writeFileSync(
      path.join(dir, "owner.json"),
      JSON.stringify({
        pid: 2 ** 22 + 7,
        url: "postgres://postgres@127.0.0.1:1/postgres",
        role: "server",
        startedAt: new Date().toISOString(),
      }),
      { mode: 0o644 },
    );
    // A token the previous release signed with that key.
    const issuedBefore = await new SignJWT({ partner_id: partnerId })
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setSubject(clientId)
      .setIssuer(process.env.APP_URL!)
      .setAudience("gatehouse-api")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(await importPKCS8(pem, "RS256"));

    // This release's launcher path: open the folder as its owner, then migrate.
    const app = await appModules({
      DATABASE_URL: undefined,
      GATEHOUSE_DATA_DIR: dir,
      AUTH_SECRET: "auth-secret-of-the-upgraded-install",
    });
    const opened = await app.setup.openDatabase("server");
    try {
      await app.setup.migrate();
      expect(openToOthers(dir)).toEqual([]);
      const url = readEmbeddedOwner(dir)!.url;
      expect(new URL(url).password).not.toBe("");
      const messages = await queryWithoutPassword(Number(new URL(url).port), "select 1");
      expect(sqlState(messages.at(-1)!.body)).toBe("28P01");

      await withPool(url, async (pool) => {
        expect(await storedKeys(pool)).toEqual([{ kid, private_pem: expect.stringMatching(/^v1\./), retired: false }]);
        const kept = await pool.query(
          "select c.email, (select count(*)::int from refresh_tokens r where r.client_id = c.id) as sessions from clients c where c.id = $1",
          [clientId],
        );
        expect(kept.rows).toEqual([{ email: "kept@example.test", sessions: 1 }]);
      });
      await expect(app.tokens.verifyAccessToken(issuedBefore)).resolves.toEqual({ clientId, partnerId });
      expect((await app.keys.getKeyRing()).active.kid).toBe(kid);
    } finally {
      await opened.close();
    }
  });
});
