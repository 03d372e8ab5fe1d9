import { json, route } from "@/server/http/route";
import { authorizationServerMetadata } from "@/server/tokens/metadata";

export const GET = route(async () =>
  json(authorizationServerMetadata(), 200, { "cache-control": "public, max-age=300" }),
);

export { OPTIONS } from "@/server/http/preflight";
