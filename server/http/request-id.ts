import { randomUUID } from "node:crypto";

// An incoming X-Request-Id is kept when it is 1–128 characters of [A-Za-z0-9._-] (the spec's rule).
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The request's id: the caller's X-Request-Id when well formed, else a new one. */
export function requestIdOf(headers: Headers): string {
  const incoming = headers.get("x-request-id");
  return incoming !== null && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
