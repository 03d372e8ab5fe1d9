import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import { getDb, type Executor, type Tx } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import { AppError } from "../errors";

/**
 * `Idempotency-Key` for money-moving requests. The key's row is inserted at
 * the start of the same transaction as the change and completed at its end:
 * - a concurrent request with the same key waits on that row and then
 *   replays the stored response (it never runs the change a second time);
 * - a failed request rolls the row back with everything else, so it can be
 *   retried with the same key;
 * - the same key with another request (path or body) is refused.
 */

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600 * 1000;

export interface StoredResponse {
  status: number;
  body: unknown;
  /** True when this is the stored answer of an earlier request. */
  replayed: boolean;
}

export interface IdempotentRequest {
  clientId: string;
  /** The raw header value; absent = no idempotency, the change simply runs. */
  key: string | null;
  method: string;
  path: string;
  /** The validated body: the fingerprint ignores formatting and key order. */
  body: unknown;
}

function canonical(value: unknown): string {
  if (value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method.toUpperCase()} ${path}\n${canonical(body)}`)
    .digest("hex");
}

function parseIdempotencyKey(raw: string | null): string | null {
  if (raw === null) return null;
  if (!KEY_PATTERN.test(raw)) {
    throw new AppError(
      "idempotency_key_invalid",
      "Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID",
      {
        fields: [{ path: "Idempotency-Key", message: "1 to 255 visible ASCII characters" }],
      },
    );
  }
  return raw;
}

/**
 * Runs `operation` in a transaction, honouring the request's idempotency key.
 * The operation answers with the status and body to send (and to replay).
 */
export async function runIdempotent(
  request: IdempotentRequest,
  operation: (tx: Tx) => Promise<{ status: number; body: unknown }>,
): Promise<StoredResponse> {
  const key = parseIdempotencyKey(request.key);
  if (key === null) {
    const result = await getDb().transaction(operation);
    return { ...result, replayed: false };
  }
  const fingerprint = requestFingerprint(request.method, request.path, request.body);
  return getDb().transaction(async (tx) => {
    // A duplicate waits for the first request's commit; not forever (55P03 becomes a 409 with Retry-After).
    await tx.execute(sql`set local lock_timeout = '10s'`);
    const [claimed] = await tx
      .insert(idempotencyKeys)
      .values({ clientId: request.clientId, key, requestHash: fingerprint, responseStatus: 0, responseBody: {} })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (!claimed) {
      // The earlier request with this key has committed (the insert waited for it).
      const [stored] = await tx
        .select({
          requestHash: idempotencyKeys.requestHash,
          status: idempotencyKeys.responseStatus,
          body: idempotencyKeys.responseBody,
        })
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.clientId, request.clientId), eq(idempotencyKeys.key, key)));
      if (!stored)
        throw new AppError("conflict", "A request with this Idempotency-Key is in progress; retry shortly", {
          retryAfterSeconds: 1,
        });
      if (stored.requestHash !== fingerprint) {
        throw new AppError(
          "idempotency_key_reused",
          "This Idempotency-Key was used for a different request; use a new key for a new request",
          {
            fields: [{ path: "Idempotency-Key", message: "Already used with a different request" }],
          },
        );
      }
      return { status: stored.status, body: stored.body, replayed: true };
    }
    const result = await operation(tx);
    await tx
      .update(idempotencyKeys)
      .set({ responseStatus: result.status, responseBody: result.body })
      .where(and(eq(idempotencyKeys.clientId, request.clientId), eq(idempotencyKeys.key, key)));
    return { ...result, replayed: false };
  });
}

/**
 * Keys are kept a day, long enough for any client's retries. Measured by the
 * database's clock, never a simulated one: a billing run for a future date
 * must not forget the answers of requests made a second ago.
 */
export async function purgeExpiredIdempotencyKeys(db: Executor): Promise<number> {
  const removed = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${IDEMPOTENCY_KEY_TTL_MS / 1000})`))
    .returning({ key: idempotencyKeys.key });
  return removed.length;
}
