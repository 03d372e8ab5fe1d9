import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { config } from "@/env";
import { AppError } from "@/server/errors";
import { isCrossSite } from "@/server/http/cross-site";
import { errorResponse } from "@/server/http/errors";
import { observeRequest, UNMATCHED_ROUTE, withHeader } from "@/server/http/observe";
import { requestIdOf } from "@/server/http/request-id";
import { withLogFields } from "@/server/log";

const ENDPOINT = "/api/trpc";
const procedures = new Set(Object.keys(appRouter._def.procedures));

/**
 * The procedures a call names (a batch names several), each as its route
 * label `/api/trpc/client.list`; a name that is no procedure is `unmatched`,
 * so what a caller types never becomes a label.
 */
function routesOf(req: Request): string[] {
  const names = new URL(req.url).pathname.slice(ENDPOINT.length + 1);
  let decoded: string;
  try {
    decoded = decodeURIComponent(names);
  } catch {
    return [UNMATCHED_ROUTE];
  }
  return decoded
    .split(",")
    .slice(0, 50)
    .map((name) => (procedures.has(name) ? `${ENDPOINT}/${name}` : UNMATCHED_ROUTE));
}

async function handler(req: Request) {
  const startedAt = performance.now();
  const requestId = requestIdOf(req.headers);
  const routes = routesOf(req);
  const failed = new Map<string, number>();
  let response: Response;
  if (isCrossSite(req, config().APP_URL)) {
    response = errorResponse(new AppError("forbidden", "Cross-site requests are refused"), requestId);
  } else {
    response = await withLogFields({ requestId }, () =>
      fetchRequestHandler({
        endpoint: ENDPOINT,
        req,
        router: appRouter,
        createContext: () => createTrpcContext({ requestId, userAgent: req.headers.get("user-agent") }),
        onError({ error, path }) {
          failed.set(
            path && procedures.has(path) ? `${ENDPOINT}/${path}` : UNMATCHED_ROUTE,
            getHTTPStatusCodeFromError(error),
          );
        },
      }),
    );
  }
  // One histogram sample per procedure of a batch, each with its own status; one log line for the call.
  const batch = routes.length > 1;
  observeRequest({
    requestId,
    method: req.method,
    route: batch
      ? `${ENDPOINT}/${routes.map((r) => (r === UNMATCHED_ROUTE ? r : r.slice(ENDPOINT.length + 1))).join(",")}`
      : routes[0]!,
    status: response.status,
    startedAt,
    // 207 is a batch whose procedures answered differently: those that did not fail answered 200.
    alsoCountAs: routes.map((route) => ({
      route,
      status: failed.get(route) ?? (response.status === 207 ? 200 : response.status),
    })),
  });
  return withHeader(response, "x-request-id", requestId);
}

export { handler as GET, handler as POST };
