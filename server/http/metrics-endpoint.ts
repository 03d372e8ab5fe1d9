import { createHash, timingSafeEqual } from "node:crypto";
import { config } from "../../env";
import { AppError } from "../errors";
import { log } from "../log";
import { renderMetrics } from "../metrics/scrape";
import { errorResponse } from "./errors";
import { requestIdOf } from "./request-id";

const warnedKey = Symbol.for("gatehouse.metrics.openWarning");

/** Compared as SHA-256 digests: equal lengths, so timingSafeEqual tells nothing about the token's length either. */
function bearerMatches(authorization: string | null, token: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!presented) return false;
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * GET /metrics. With METRICS_TOKEN set, only `Authorization: Bearer <token>`
 * reads it (401 otherwise). Without, it is served to whoever reaches it: keep
 * it behind the network (docs/deployment.md); production says so once in the
 * log. Not counted in the request histogram nor logged per scrape: a
 * scraper's every 15 s would only be noise there.
 */
export async function metricsEndpoint(req: Request): Promise<Response> {
  const requestId = requestIdOf(req.headers);
  const c = config();
  if (c.METRICS_TOKEN) {
    if (!bearerMatches(req.headers.get("authorization"), c.METRICS_TOKEN))
      return errorResponse(new AppError("unauthorized", "Send the metrics token as Authorization: Bearer"), requestId, {
        "www-authenticate": 'Bearer realm="metrics"',
      });
  } else if (c.isProduction) {
    const holder = globalThis as { [warnedKey]?: boolean };
    if (!holder[warnedKey]) {
      holder[warnedKey] = true;
      log.warn("GET /metrics is served without METRICS_TOKEN: keep it reachable only from the monitoring network");
    }
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, {
    status: 200,
    headers: { "content-type": contentType, "cache-control": "no-store", "x-request-id": requestId },
  });
}
