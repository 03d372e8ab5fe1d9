import type { Executor } from "../../db/client";
import { AppError } from "../errors";
import type { Partner } from "../partners/lookup";
import { consumeQuota } from "../quotas/quota";

const HOUR = 3600;

/**
 * The partner's registration quotas: per client IP per hour and in total per
 * hour. Work with no request behind it (an operator's, the system's) has no
 * address, so only the total applies to it.
 */
export async function enforceRegistrationQuota(
  db: Executor,
  partner: Partner,
  ip: string | null,
  now = new Date(),
): Promise<void> {
  if (ip !== null) {
    const perIp = await consumeQuota(db, {
      scope: `registration:ip:${partner.id}:${ip}`,
      limit: partner.quotaPerIpHour,
      windowSeconds: HOUR,
      now,
    });
    if (!perIp.allowed) {
      throw new AppError("quota_exceeded", "Too many registrations from this address; try again later", {
        retryAfterSeconds: perIp.retryAfterSeconds,
        details: { quota: "per_ip_hour", limit: partner.quotaPerIpHour },
      });
    }
  }
  const total = await consumeQuota(db, {
    scope: `registration:total:${partner.id}`,
    limit: partner.quotaTotalHour,
    windowSeconds: HOUR,
    now,
  });
  if (!total.allowed) {
    throw new AppError(
      "quota_exceeded",
      "This partner's registration quota is used up for this hour; try again later",
      { retryAfterSeconds: total.retryAfterSeconds, details: { quota: "total_hour", limit: partner.quotaTotalHour } },
    );
  }
}
