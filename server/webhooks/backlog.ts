import { inArray, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { webhookMessages } from "../../db/schema";

/** Webhook messages not yet delivered (pending or being sent) and the age of the oldest, in seconds (0 when none): for /metrics. */
export async function webhookBacklog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const [row] = await getDb()
    .select({
      pending: sql<number>`count(*)::int`,
      oldestAgeSeconds: sql<number>`coalesce(extract(epoch from now() - min(${webhookMessages.createdAt})), 0)::float8`,
    })
    .from(webhookMessages)
    .where(inArray(webhookMessages.status, ["pending", "sending"]));
  return { pending: Number(row?.pending ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.oldestAgeSeconds ?? 0)) };
}
