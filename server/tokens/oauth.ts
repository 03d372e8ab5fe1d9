import { z } from "zod";
import { fieldErrorsFromIssues, toAppError, type ErrorCode, type FieldError } from "../errors";
import { partnerTokenRequestSchema } from "../registration/schemas";
import { CLIENT_SCOPES } from "./access-token";

/**
 * The token endpoint as RFC 6749 has it: requests as
 * application/x-www-form-urlencoded (§4.3.2, §6) or JSON, and errors in the
 * §5.2 shape `{error, error_description}` instead of the API's own error
 * body, so an OAuth client library reads them as it reads any server's.
 */

/**
 * §5.2's codes, and two for what is not the request's fault, which RFC 6749
 * registers for the authorization endpoint (§4.1.2.1) and clients know:
 * `temporarily_unavailable` (rate limits and outages, with Retry-After) and
 * `server_error`.
 */
export const OAUTH_ERROR_CODES = [
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "temporarily_unavailable",
  "server_error",
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

class OAuthError extends Error {
  override name = "OAuthError";
  constructor(
    readonly error: OAuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const oauthErrorSchema = z
  .object({
    error: z.enum(OAUTH_ERROR_CODES).meta({ description: "RFC 6749 §5.2; branch on this." }),
    error_description: z.string().meta({
      description: "For the developer: what was wrong, naming the parameter. Printable ASCII only, as §5.2 requires.",
    }),
  })
  .meta({
    id: "OAuthError",
    description:
      "The body of every error answer of the token endpoint (RFC 6749 §5.2); the request id is in the x-request-id header.",
  });

type OAuthErrorBody = z.infer<typeof oauthErrorSchema>;

/** What each code means here, and the statuses it comes with: for the OpenAPI document. */
export const OAUTH_ERROR_DOCS: Record<OAuthErrorCode, { statuses: number[]; description: string }> = {
  invalid_request: {
    statuses: [400],
    description:
      "A parameter is missing, repeated, malformed or of the wrong type, the body is neither form-encoded nor JSON, or the password grant names no partner.",
  },
  invalid_client: { statuses: [401], description: "No partner has the `partnerId` sent." },
  invalid_grant: {
    statuses: [400],
    description:
      "The email or password is wrong, or the refresh token is unknown, of another partner, expired or already used (which ends its whole session), or the client is suspended or blocked.",
  },
  unauthorized_client: {
    statuses: [400],
    description: "The partner is suspended: its clients can neither sign in nor refresh.",
  },
  unsupported_grant_type: { statuses: [400], description: "`grant_type` is neither `password` nor `refresh_token`." },
  invalid_scope: { statuses: [400], description: "`scope` names a scope the API does not know." },
  temporarily_unavailable: {
    statuses: [429, 503],
    description:
      "Too many failed sign-ins for the account or the address (429), or the service is busy or its database unreachable (503); wait for `Retry-After` seconds.",
  },
  server_error: {
    statuses: [500],
    description: "An unexpected failure; the `x-request-id` header identifies it in the logs.",
  },
};

const GRANT_TYPES = ["password", "refresh_token"] as const;

/** §5.2: error_description is printable ASCII without `"` and `\`. */
function describe(text: string): string {
  return text
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/[\u2018\u2019"\\]/g, "'")
    .replace(/[^\x20-\x7e]/g, "?")
    .slice(0, 500);
}

function describeFields(fields: ReadonlyArray<FieldError>, fallback: string): string {
  return fields.length === 0 ? fallback : fields.map((f) => `${f.path}: ${f.message}`).join("; ");
}

const invalidRequest = (message: string) => new OAuthError("invalid_request", message);

/**
 * The request's parameters. A form body follows RFC 6749: a parameter sent
 * twice is refused (§3.2) and one sent empty counts as absent (§3.1). A JSON
 * body (or none) is an object, as before.
 */
function parametersOf(contentType: string | null, raw: string): Record<string, unknown> {
  const type = contentType?.split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") {
    const names = new Set<string>();
    const values = new Map<string, string>();
    for (const [name, value] of new URLSearchParams(raw)) {
      if (names.has(name)) throw invalidRequest(`${name.slice(0, 40)} is sent more than once`);
      names.add(name);
      if (value !== "") values.set(name, value);
    }
    // Own properties only: a parameter named __proto__ stays a parameter.
    return Object.fromEntries(values);
  }
  if (type !== undefined && type !== "" && !/^application\/([a-z.+-]*\+)?json$/.test(type)) {
    throw invalidRequest("Send the parameters as application/x-www-form-urlencoded (or application/json)");
  }
  if (raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalidRequest("The body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw invalidRequest("The JSON body must be an object of parameters");
  return value as Record<string, unknown>;
}

export type TokenRequest = z.output<typeof partnerTokenRequestSchema>;

/** Reads and checks a token request, refusing it with the RFC 6749 code that fits. */
export function tokenRequestFrom(contentType: string | null, raw: string): TokenRequest {
  const params = parametersOf(contentType, raw);
  const grantType = params.grant_type;
  if (grantType === undefined) throw invalidRequest("grant_type is required: password or refresh_token");
  if (typeof grantType !== "string") throw invalidRequest("grant_type must be a string: password or refresh_token");
  if (!(GRANT_TYPES as readonly string[]).includes(grantType)) {
    throw new OAuthError(
      "unsupported_grant_type",
      `grant_type ${grantType.slice(0, 40)} is not supported; use password or refresh_token`,
    );
  }
  const parsed = partnerTokenRequestSchema.safeParse(params);
  if (!parsed.success)
    throw invalidRequest(describeFields(fieldErrorsFromIssues(parsed.error.issues), "The request is not valid"));
  const unknown = (parsed.data.scope ?? "").split(" ").filter((s) => s !== "" && !CLIENT_SCOPES.includes(s));
  if (unknown.length > 0)
    throw new OAuthError(
      "invalid_scope",
      `Unknown scope ${unknown.join(" ").slice(0, 100)}; the scopes are ${CLIENT_SCOPES.join(" ")}`,
    );
  return parsed.data;
}

const INVALID_GRANT: ReadonlySet<ErrorCode> = new Set([
  "invalid_credentials",
  "refresh_token_invalid",
  "refresh_token_expired",
  "refresh_token_reused",
  "account_inactive",
]);

export interface OAuthErrorAnswer {
  status: number;
  body: OAuthErrorBody;
  headers: Record<string, string>;
  /** As toAppError says: a failure the server should log. */
  unexpected: boolean;
}

/** Anything the token endpoint throws, as its RFC 6749 §5.2 answer. */
export function oauthErrorOf(thrown: unknown): OAuthErrorAnswer {
  if (thrown instanceof OAuthError)
    return {
      status: 400,
      body: { error: thrown.error, error_description: describe(thrown.message) },
      headers: {},
      unexpected: false,
    };
  const { error, unexpected } = toAppError(thrown);
  const headers: Record<string, string> =
    error.retryAfterSeconds !== undefined ? { "retry-after": String(error.retryAfterSeconds) } : {};
  const answer = (
    status: number,
    code: OAuthErrorCode,
    text = describeFields(error.fields, error.message),
  ): OAuthErrorAnswer => ({
    status,
    body: { error: code, error_description: describe(text) },
    headers,
    unexpected,
  });
  if (error.status === 429 || error.status === 503)
    return answer(error.status, "temporarily_unavailable", error.message);
  if (error.status >= 500) return answer(500, "server_error", error.message);
  if (error.code === "partner_not_found") return answer(401, "invalid_client");
  if (error.code === "partner_suspended") return answer(400, "unauthorized_client");
  if (INVALID_GRANT.has(error.code)) return answer(400, "invalid_grant");
  return answer(400, "invalid_request");
}
