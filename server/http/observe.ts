import { log, withLogFields } from "../log";
import { metrics } from "../metrics/registry";
import { requestIdOf } from "./request-id";

/**
 * What every HTTP entry point (route(), the tRPC endpoint, Auth.js's) does
 * for each request it answers: one sample of the duration histogram and one
 * log line. Nothing here touches the database.
 */

/** The label of a request no route template describes (unknown paths under the API's prefixes). */
export const UNMATCHED_ROUTE = "unmatched";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export interface RequestObservation {
  requestId: string;
  method: string;
  /** The route template (`/invoice/{invoiceId}`), never the raw path; UNMATCHED_ROUTE when there is none. */
  route: string;
  status: number;
  /** performance.now() when the request came in. */
  startedAt: number;
  partnerId?: number;
  /** An unexpected failure: the line is an error, with the error as `err`. */
  err?: unknown;
  /** Other routes the request counts under as well (the procedures of a batched tRPC call), for the histogram. */
  alsoCountAs?: readonly { route: string; status: number }[];
}

/** One histogram sample (per procedure, for a tRPC batch) and one log line for a request answered. */
export function observeRequest(o: RequestObservation): void {
  const seconds = (performance.now() - o.startedAt) / 1000;
  const method = METHODS.has(o.method) ? o.method : "OTHER";
  const samples = o.alsoCountAs ?? [{ route: o.route, status: o.status }];
  for (const s of samples)
    metrics().httpDuration.observe({ route: s.route, method, status: String(s.status) }, seconds);
  const fields = {
    requestId: o.requestId,
    method: o.method,
    route: o.route,
    status: o.status,
    durationMs: Math.round(seconds * 10_000) / 10,
    ...(o.partnerId !== undefined ? { partnerId: o.partnerId } : {}),
  };
  if (o.err !== undefined) log.error("request failed", { ...fields, err: o.err });
  else log.info("request", fields);
}

/**
 * A route's template from the path served and the parameters Next.js
 * matched: each parameter's segment becomes `{name}`
 * (`/reg/subscription/8f…/cancel` → `/reg/subscription/{subscriptionId}/cancel`).
 * Every other segment of the path is a literal of the route's folder, so the
 * labels are as many as the routes.
 */
export function routeTemplate(path: string, params: Record<string, string | string[]>): string {
  // Literal segments decoded and empty ones dropped, so /api/%68ealth and /api//health are /api/health.
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map(safeDecode);
  const taken = new Set<number>();
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      // A catch-all takes the path's last segments.
      const start = segments.length - value.length;
      if (start < 0 || value.length === 0) return UNMATCHED_ROUTE;
      segments.splice(start, value.length, `{...${name}}`);
      taken.add(start);
      continue;
    }
    const index = segments.findIndex((s, i) => !taken.has(i) && s === value);
    if (index < 0) return UNMATCHED_ROUTE;
    segments[index] = `{${name}}`;
    taken.add(index);
  }
  return `/${segments.join("/")}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The response with this header set, copied first when its headers are immutable (a Response.redirect). */
export function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}

/**
 * Observes a route handler that does not go through route() (Auth.js's): the
 * request id (kept or made, and echoed), one histogram sample and one log line
 * under this template.
 */
export function observed<R extends Request, A extends unknown[]>(
  template: string,
  handler: (req: R, ...rest: A) => Promise<Response>,
): (req: R, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => {
    const startedAt = performance.now();
    const requestId = requestIdOf(req.headers);
    let response: Response;
    try {
      response = await withLogFields({ requestId }, () => handler(req, ...rest));
    } catch (err) {
      observeRequest({ requestId, method: req.method, route: template, status: 500, startedAt, err });
      throw err;
    }
    observeRequest({ requestId, method: req.method, route: template, status: response.status, startedAt });
    return withHeader(response, "x-request-id", requestId);
  };
}
