import { ZodError } from "zod";
import { databaseRefusal, isDatabaseUnavailable, isInputRejectedByDatabase, isTransientConflict } from "../../db/client";
import { AppError, fieldErrorsFromIssues, type FieldError } from "../errors";

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    fields: FieldError[];
    requestId: string;
    details?: Record<string, unknown>;
  };
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Unexpected errors are logged; expected ones are the caller's doing. */
  unexpected: boolean;
}

/** The one mapping from anything thrown to the public JSON error shape. */
export function toHttpError(error: unknown, requestId: string): HttpError {
  let appError: AppError;
  let unexpected = false;
  if (error instanceof AppError) appError = error;
  else if (error instanceof ZodError) appError = new AppError("validation_failed", "The request is not valid", { fields: fieldErrorsFromIssues(error.issues) });
  else if (isDatabaseUnavailable(error)) appError = new AppError("service_unavailable", "The service is temporarily unavailable; retry shortly", { retryAfterSeconds: 5 });
  else if (isInputRejectedByDatabase(error) || isTransientConflict(error)) {
    appError = databaseRefusal(error);
    unexpected = true;
  }
  else {
    appError = new AppError("internal_error", "Something went wrong on our side; the request id identifies it");
    unexpected = true;
  }
  const headers: Record<string, string> = {};
  if (appError.retryAfterSeconds !== undefined) headers["retry-after"] = String(appError.retryAfterSeconds);
  return {
    status: appError.status,
    body: {
      error: {
        code: appError.code,
        message: appError.message,
        fields: appError.fields,
        requestId,
        ...(appError.details ? { details: appError.details } : {}),
      },
    },
    headers,
    unexpected,
  };
}
