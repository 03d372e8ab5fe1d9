import { log } from "../log";
import { oauthErrorOf } from "../tokens/oauth";
import { json, route } from "./route";

type Handler = Parameters<typeof route>[0];

/**
 * route() for the OAuth token endpoint: the same request handling, but every
 * error answers in RFC 6749 §5.2's shape (server/tokens/oauth.ts) rather than
 * the API's, and every answer, tokens or error, carries the no-caching headers
 * §5.1 asks for.
 */
export function oauthRoute(handler: Handler) {
  return route(async (ctx) => {
    let response: Response;
    try {
      response = await handler(ctx);
    } catch (thrown) {
      const answer = oauthErrorOf(thrown);
      if (answer.unexpected)
        log.error("request failed", {
          requestId: ctx.caller.requestId,
          method: ctx.req.method,
          path: ctx.path,
          err: thrown,
        });
      response = json(answer.body, answer.status, answer.headers);
    }
    response.headers.set("cache-control", "no-store");
    response.headers.set("pragma", "no-cache");
    return response;
  });
}
