import { json, route } from "@/server/http/route";
import { publicJwks } from "@/server/tokens/jwks";

export const GET = route(async () =>
  json({ keys: await publicJwks() }, 200, { "cache-control": "public, max-age=300" }),
);

export { OPTIONS } from "@/server/http/preflight";
