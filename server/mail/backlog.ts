import { inArray, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";

/** Emails not yet sent (queued or being sent) and the age of the oldest, in seconds (0 when none): for /metrics. */
export async function outboxBacklog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const [row] = await getDb()
    .select({
      pending: sql<number>`count(*)::int`,
      oldestAgeSeconds: sql<number>`coalesce(extract(epoch from now() - min(${emailOutbox.createdAt})), 0)::float8`,
    })
    .from(emailOutbox)
    .where(inArray(emailOutbox.status, ["queued", "sending"]));
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.oldestAgeSeconds ?? 0)) };
}
