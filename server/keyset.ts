import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { AppError } from "./errors";

/**
 * Keyset pagination over (a timestamp, an id). The timestamp travels as UTC
 * text to the microsecond, as the database compares it (a JavaScript Date
 * keeps milliseconds only, and a cursor rounded to them would skip rows).
 * Cursors come back from the browser, so they are checked completely here:
 * a malformed one is a 400 naming `cursor`, never a database cast error.
 */

export const timeKeyOf = (column: AnyPgColumn | SQL) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const TIME_KEY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BIGINT_ID = /^[1-9]\d{0,17}$/;

/** A real UTC instant in the to_char format above (no 30 February, no hour 24). */
function isTimeKey(text: string): boolean {
  const m = TIME_KEY.exec(text);
  if (!m) return false;
  // The pattern matched, so every field is there; the defaults only tell the type so.
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    at.getUTCFullYear() === y &&
    at.getUTCMonth() === mo - 1 &&
    at.getUTCDate() === d &&
    at.getUTCHours() === h &&
    at.getUTCMinutes() === mi &&
    y >= 1970 &&
    y <= 9999
  );
}

/** A sort key made by timeKeyOf. */
export const timeKeySchema = z.string().refine(isTimeKey);
export const uuidKeySchema = z.string().regex(UUID);

const invalidCursor = () =>
  AppError.field("invalid_request", "cursor", "The cursor is not valid for this list; start again from the first page");

/**
 * The one cursor codec: a cursor is base64url of a small JSON object, and the
 * list's schema checks it whole when it comes back. Anything else — not
 * base64url, not JSON, another list's cursor, a forged key — is the same 400
 * naming `cursor`.
 */
export function cursorCodec<S extends z.ZodType>(schema: S) {
  return {
    encode: (value: z.input<S>): string => Buffer.from(JSON.stringify(value), "utf8").toString("base64url"),
    decode(raw: string): z.output<S> {
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
      } catch {
        throw invalidCursor();
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw invalidCursor();
      return parsed.data;
    },
  };
}

/** The cursor of a list ordered by (a timestamp, an id): `k` the time key, `id` the row's uuid or bigint id as text. */
export const timeCursor = {
  uuid: cursorCodec(z.strictObject({ k: timeKeySchema, id: uuidKeySchema })),
  bigint: cursorCodec(z.strictObject({ k: timeKeySchema, id: z.string().regex(BIGINT_ID) })),
};

/** One page of rows fetched with limit + 1: the items and the cursor of the next page. */
export function keysetPage<T extends { sortKey: string; id: string | number }>(rows: T[], limit: number) {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    items: items.map(({ sortKey: _sortKey, ...item }) => item),
    nextCursor:
      hasMore && last
        ? timeCursor[typeof last.id === "number" ? "bigint" : "uuid"].encode({ k: last.sortKey, id: String(last.id) })
        : null,
  };
}
