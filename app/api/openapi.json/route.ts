import { json, route } from "@/server/http/route";
import { buildOpenApiDocument } from "@/server/openapi/document";

/** The OpenAPI 3.1 document of the public API; public, so API tools in a browser may fetch it. */
export const GET = route(async () =>
  json(buildOpenApiDocument(), 200, { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" }),
);
