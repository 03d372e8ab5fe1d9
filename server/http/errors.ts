import { errorBody, toAppError, type AppError, type ErrorBody } from "../errors";

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Unexpected errors are logged; expected ones are the caller's doing. */
  unexpected: boolean;
}

/** Anything thrown, as a REST answer: toAppError's reading with its status, public body and Retry-After. */
export function toHttpError(thrown: unknown, requestId: string): HttpError {
  const { error, unexpected } = toAppError(thrown);
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  return { status: error.status, body: errorBody(error, requestId), headers, unexpected };
}

/** An AppError as a whole JSON answer, for refusals made before any handler runs (the cross-site checks). */
export function errorResponse(error: AppError, requestId: string, headers: Record<string, string> = {}): Response {
  const mapped = toHttpError(error, requestId);
  return Response.json(mapped.body, {
    status: mapped.status,
    headers: { ...mapped.headers, "x-request-id": requestId, "cache-control": "no-store", ...headers },
  });
}
