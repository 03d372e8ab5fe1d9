import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { randomUUID } from "node:crypto";
import { appRouter } from "@/server/api/root";
import { getStaffSession } from "@/server/auth/session";
import { config } from "@/server/config";
import { clientIp } from "@/server/http/route";

function sameOrigin(req: Request): boolean {
  // Browsers always send Origin on POST; a foreign one is a cross-site request.
  const origin = req.headers.get("origin");
  if (req.method === "GET" || origin === null) return true;
  return origin === new URL(req.url).origin || origin === new URL(config().APP_URL).origin;
}

async function handler(req: Request) {
  const requestId = randomUUID();
  if (!sameOrigin(req)) {
    return Response.json({ error: { code: "forbidden", message: "Cross-site requests are refused", fields: [], requestId } }, { status: 403, headers: { "x-request-id": requestId } });
  }
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ staff: await getStaffSession(), ip: clientIp(req, config().TRUSTED_PROXY_COUNT), requestId }),
  });
  response.headers.set("x-request-id", requestId);
  return response;
}

export { handler as GET, handler as POST };
