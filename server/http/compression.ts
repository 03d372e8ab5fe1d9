import { isPublicApiPath } from "./cors";

/**
 * Which answers leave Next.js uncompressed. The public API's answers (both
 * flavours, health, JWKS) are a few hundred bytes of JSON: gzipping them cost
 * about 1 ms of the server's CPU per registration (docs/benchmarks.md) and
 * saves nothing worth it; a reverse proxy in front may still compress them.
 * Pages, their assets, the back office's downloads (CSV exports, the OpenAPI
 * document) and /metrics stay compressed.
 */
// The public API's paths as CORS knows them, plus the token endpoint itself, health and the KYC provider's webhooks.
const ALSO_UNCOMPRESSED = /^\/api\/(token|health|webhooks)(\/|$)/;

export function answersUncompressed(path: string): boolean {
  return isPublicApiPath(path) || ALSO_UNCOMPRESSED.test(path);
}
