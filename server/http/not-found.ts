import { AppError } from "../errors";
import { UNMATCHED_ROUTE } from "./observe";
import { route } from "./route";

/**
 * Unknown paths under the API's prefixes (/api, /reg, /oauth, /invoice,
 * /wallet) answer in the API's JSON error shape rather than with the
 * back office's HTML 404 page: a client library reads the error as it reads
 * any other.
 */
const noSuchEndpoint = route(
  async (ctx) => {
    throw new AppError("not_found", `There is no endpoint ${ctx.req.method} ${ctx.path}; see /docs for the API`);
  },
  // One label for every unknown path, whatever is asked for.
  { template: UNMATCHED_ROUTE },
);

export const apiNotFound = {
  GET: noSuchEndpoint,
  POST: noSuchEndpoint,
  PUT: noSuchEndpoint,
  PATCH: noSuchEndpoint,
  DELETE: noSuchEndpoint,
};
