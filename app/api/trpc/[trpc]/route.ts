import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { randomUUID } from "node:crypto";
import { appRouter } from "@/server/api/root";
import { createTrpcContext } from "@/server/api/trpc";
import { config } from "@/env";
import { AppError } from "@/server/errors";
import { isCrossSite } from "@/server/http/cross-site";
import { errorResponse } from "@/server/http/errors";

async function handler(req: Request) {
  const requestId = randomUUID();
  if (isCrossSite(req, config().APP_URL)) {
    return errorResponse(new AppError("forbidden", "Cross-site requests are refused"), requestId);
  }
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTrpcContext({ requestId, userAgent: req.headers.get("user-agent") }),
  });
  response.headers.set("x-request-id", requestId);
  return response;
}

export { handler as GET, handler as POST };
