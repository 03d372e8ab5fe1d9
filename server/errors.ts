import { ZodError } from "zod";
import { databaseFailureOf } from "../db/errors";

/**
 * The one error type services throw. Its code is stable and machine-readable,
 * its message is safe to show, and it names the offending fields. Anything
 * else thrown becomes one through toAppError; the REST layer (server/http),
 * the tRPC kernel and the server actions map that to their transports.
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. "password" or "address.postalCode". */
  path: string;
  message: string;
}

export const errorStatus = {
  validation_failed: 422,
  invalid_json: 400,
  invalid_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  partner_required: 400,
  partner_not_found: 404,
  partner_suspended: 403,
  user_type_not_allowed: 422,
  master_key_required: 403,
  invalid_api_key: 401,
  captcha_required: 400,
  captcha_invalid: 400,
  quota_exceeded: 429,
  too_many_attempts: 429,
  resend_cooldown: 429,
  resend_limit_reached: 429,
  confirmation_code_invalid: 400,
  confirmation_code_expired: 410,
  confirmation_locked: 423,
  password_mismatch: 400,
  email_taken: 409,
  already_confirmed: 409,
  invalid_credentials: 401,
  unauthorized: 401,
  invalid_token: 401,
  token_expired: 401,
  refresh_token_invalid: 401,
  refresh_token_expired: 401,
  refresh_token_reused: 401,
  account_inactive: 403,
  verification_already_approved: 409,
  verification_rejected_final: 409,
  webhook_signature_invalid: 401,
  webhook_digest_alg_unsupported: 400,
  tier_not_found: 404,
  account_not_found: 404,
  invoice_not_found: 404,
  payment_not_found: 404,
  subscription_not_found: 404,
  already_subscribed: 409,
  currency_mismatch: 422,
  insufficient_funds: 402,
  invoice_not_payable: 409,
  payment_account_conflict: 409,
  subscription_cancelled: 409,
  idempotency_key_invalid: 400,
  idempotency_key_reused: 422,
  sandbox_only: 403,
  kyc_unavailable: 503,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  server_busy: 503,
  service_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface AppErrorOptions {
  fields?: FieldError[];
  retryAfterSeconds?: number;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: FieldError[];
  readonly retryAfterSeconds: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = errorStatus[code];
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  static field(
    code: ErrorCode,
    path: string,
    message: string,
    options: Omit<AppErrorOptions, "fields"> = {},
  ): AppError {
    return new AppError(code, message, { ...options, fields: [{ path, message }] });
  }
}

/** Turns zod issues into field errors with dotted paths. */
export function fieldErrorsFromIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldError[] {
  return issues.map((issue) => ({
    path: issue.path.map((p) => String(p)).join(".") || "(body)",
    message: issue.message,
  }));
}

/** Field errors keyed by path, the first message for a path winning: what a form shows beside each field. */
export function fieldMessages(fields: ReadonlyArray<FieldError>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f.path] ??= f.message;
  return out;
}

/**
 * The one reading of anything thrown, for every entry point (REST, tRPC,
 * server actions, CSV exports). `unexpected` marks what the server should log:
 * a bug (answered as internal_error, its message never shown) or a value the
 * database refused that validation should have caught first. An outage is
 * expected: the caller is told to retry, and the health check reports it.
 */
export function toAppError(thrown: unknown): { error: AppError; unexpected: boolean } {
  if (thrown instanceof AppError) return { error: thrown, unexpected: false };
  if (thrown instanceof ZodError)
    return {
      error: new AppError("validation_failed", "The request is not valid", {
        fields: fieldErrorsFromIssues(thrown.issues),
      }),
      unexpected: false,
    };
  switch (databaseFailureOf(thrown)) {
    case "unavailable":
      return {
        error: new AppError("service_unavailable", "The service is temporarily unavailable; retry shortly", {
          retryAfterSeconds: 5,
        }),
        unexpected: false,
      };
    case "conflict":
      return {
        error: new AppError("conflict", "The request collided with another one; retry it", { retryAfterSeconds: 1 }),
        unexpected: true,
      };
    case "input_rejected":
      return {
        error: new AppError(
          "invalid_request",
          "A value in the request cannot be stored as sent (for example a NUL character, or a value too large)",
        ),
        unexpected: true,
      };
    case undefined:
      return {
        error: new AppError("internal_error", "Something went wrong on our side; the request id identifies it"),
        unexpected: true,
      };
  }
}

/** The body of every JSON error answer: the REST API's, the CSV exports' and the cross-site refusals'. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    fields: FieldError[];
    requestId: string;
    details?: Record<string, unknown>;
  };
}

/** The one builder of the public JSON error body. */
export function errorBody(error: AppError, requestId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      fields: error.fields,
      requestId,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}
