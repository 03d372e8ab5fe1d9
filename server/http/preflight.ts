import { route } from "./route";

/**
 * The public routes' OPTIONS: a CORS preflight answers 204, and route() adds
 * the CORS headers when the origin is allowed (cors.ts). Without an export of
 * its own, Next.js would answer OPTIONS itself, with no CORS headers.
 */
export const OPTIONS = route(async () => new Response(null, { status: 204 }));
