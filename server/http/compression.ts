/**
 * Which answers leave Next.js uncompressed. The public API's answers (both
 * flavours, health, JWKS) are a few hundred bytes of JSON: gzipping them cost
 * about 1 ms of the server's CPU per registration (docs/benchmarks.md) and
 * saves nothing worth it; a reverse proxy in front may still compress them.
 * Pages, their assets, the back office's downloads (CSV exports, the OpenAPI
 * document) and /metrics stay compressed.
 */
const UNCOMPRESSED = /^\/(api\/(public|token|health|webhooks)(\/|$)|\.well-known\/|reg\/|oauth\/|wallet\/|invoice\/)/;

export function answersUncompressed(path: string): boolean {
  return UNCOMPRESSED.test(path);
}
