import { and, eq, isNull, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { getDb, getPool } from "../../db/client";
import { auditEvents, refreshTokens } from "../../db/schema";
import type * as Hasher from "../../server/passwords/hasher";
import { hashPassword } from "../../server/passwords/hasher";
import { createTestPartner, uniqueEmail, useApi, whiteLabelBody, type TestPartner } from "../support/api";

/**
 * A password reset ends every session, and no session may outlive it: not one
 * opened by a sign-in whose (slow) password check began before the reset
 * committed, nor one made by a refresh-token rotation racing it. The reset is
 * played here by its own statements (lock the client for update, set the new
 * hash, revoke the client's tokens) on a connection of the test's own, so the
 * test decides when it commits; the hooks below stop the sign-in right after
 * argon2 and the rotation right before it stores the new token.
 */

const pause = vi.hoisted(() => ({
  afterPasswordCheck: undefined as (() => Promise<void>) | undefined,
  beforeRefreshTokenMade: undefined as (() => Promise<void>) | undefined,
}));

vi.mock("../../server/passwords/hasher", async (importOriginal) => {
  const actual = await importOriginal<typeof Hasher>();
  return {
    ...actual,
    // Sign-in checks a client's stored hash (argon2id, or an imported bcrypt hash) through this one.
    verifyStoredPassword: async (passwordHash: string, password: string) => {
      const checked = await actual.verifyStoredPassword(passwordHash, password);
      const hook = pause.afterPasswordCheck;
      pause.afterPasswordCheck = undefined;
      await hook?.();
      return checked;
    },
  };
});

// The rotation stores its new token with nothing awaited in between that a module mock could reach, so the pause
// sits at the wire: the client's query waits before the INSERT leaves for the server.
// eslint-disable-next-line @typescript-eslint/unbound-method -- only ever applied to a client (Reflect.apply) or put back
const sendQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const config = args[0] as string | { text?: string };
  const text = typeof config === "string" ? config : (config?.text ?? "");
  const hook = pause.beforeRefreshTokenMade;
  if (!hook || !/^insert into "refresh_tokens"/i.test(text)) return Reflect.apply(sendQuery, this, args);
  pause.beforeRefreshTokenMade = undefined;
  return hook().then(() => Reflect.apply(sendQuery, this, args));
} as typeof sendQuery;
afterAll(() => {
  pg.Client.prototype.query = sendQuery;
});

const api = useApi();
const embedded = inject("databaseIsEmbedded");

async function registered(partner: TestPartner) {
  const body = whiteLabelBody({ email: uniqueEmail("reset-race") });
  const res = await api.post("/api/public/register", body, { partnerId: String(partner.id) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { email: body.email, password: body.password, clientId: res.body.clientId as string };
}

/** What resetPassword does to the client in its transaction, started and committed when the test says. */
async function resetOf(clientId: string) {
  const newHash = await hashPassword("Changed-Password-9");
  const conn = await getPool().connect();
  const pid = (await conn.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]!.pid;
  let applied: Promise<void> | undefined;
  return {
    start(): Promise<void> {
      applied ??= (async () => {
        await conn.query("begin");
        await conn.query("select id from clients where id = $1 for update", [clientId]);
        await conn.query("update clients set password_hash = $2, updated_at = now() where id = $1", [
          clientId,
          newHash,
        ]);
        await conn.query(
          "update refresh_tokens set revoked_at = now(), revoked_reason = 'password_reset' where client_id = $1 and revoked_at is null",
          [clientId],
        );
      })();
      return applied;
    },
    async commit(): Promise<void> {
      try {
        await this.start();
        await conn.query("commit");
      } catch (err) {
        await conn.query("rollback").catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
    /**
     * Until the backend `pid` waits for a lock (the reset's own, or another held against it). The embedded
     * database runs one transaction at a time, so there a waiter queues for the session, which cannot be seen:
     * a short pause stands in, and the outcome does not depend on it.
     */
    async untilLockWait(waiter: "reset" | "blocked_by_reset"): Promise<void> {
      if (embedded) return new Promise((resolve) => setTimeout(resolve, 100));
      const query =
        waiter === "reset"
          ? sql`select 1 from pg_stat_activity where pid = ${pid} and wait_event_type = 'Lock'`
          : sql`select 1 from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`;
      for (let tries = 0; tries < 500; tries++) {
        if ((await getDb().execute(query)).rows.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no lock wait (${waiter}) within 5 s`);
    },
  };
}

async function liveRefreshTokens(clientId: string): Promise<number> {
  const rows = await getDb()
    .select({ id: refreshTokens.id })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.clientId, clientId), isNull(refreshTokens.revokedAt)));
  return rows.length;
}

async function failedSignIns(clientId: string): Promise<number> {
  const rows = await getDb()
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityId, clientId), eq(auditEvents.action, "client.sign_in_failed")));
  return rows.length;
}

describe("sessions after a password reset that races them", () => {
  it("a sign-in whose password check passed before the reset committed is refused, and no session survives", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    expect(await liveRefreshTokens(client.clientId)).toBe(1);
    const reset = await resetOf(client.clientId);
    let checked!: () => void;
    const passwordChecked = new Promise<void>((resolve) => (checked = resolve));
    // The old password has just been verified against the old hash; now the reset locks the client and changes it.
    pause.afterPasswordCheck = async () => {
      await reset.start();
      checked();
    };

    const login = api.post(
      "/api/public/authenticate",
      { username: client.email, password: client.password },
      { partnerId: String(partner.id) },
    );
    await passwordChecked;
    await reset.untilLockWait("blocked_by_reset");
    await reset.commit();
    const res = await login;

    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
    expect(await failedSignIns(client.clientId)).toBe(1);
    expect(await liveRefreshTokens(client.clientId)).toBe(0);
  });

  it("a refresh-token rotation racing the reset leaves no live refresh token, and the reset goes through", async () => {
    const partner = await createTestPartner();
    const client = await registered(partner);
    const signedIn = await api.post(
      "/api/public/authenticate",
      { username: client.email, password: client.password },
      { partnerId: String(partner.id) },
    );
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    const reset = await resetOf(client.clientId);
    // The rotation holds its locks and is about to store the new token when the reset starts.
    pause.beforeRefreshTokenMade = async () => {
      void reset.start().catch(() => undefined);
      await reset.untilLockWait("reset");
    };

    const rotated = await api.post("/api/token/refresh", { refresh_token: signedIn.body.refresh_token });
    await expect(reset.commit()).resolves.toBeUndefined();

    expect(await liveRefreshTokens(client.clientId)).toBe(0);
    if (rotated.status === 200) {
      const again = await api.post("/api/token/refresh", { refresh_token: rotated.body.refresh_token });
      expect(again.status).toBe(401);
    }
  });
});
