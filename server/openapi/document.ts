import { z } from "zod";
import { config } from "../../env";
import { errorStatus, type ErrorBody, type ErrorCode } from "../errors";
import { OAUTH_ERROR_CODES, OAUTH_ERROR_DOCS, oauthErrorSchema } from "../tokens/oauth";
import { endpoints, type Endpoint, type Example, type Flavour, type Parameter } from "./paths";

/**
 * The OpenAPI 3.1 document of the public API, generated from the zod schemas
 * the handlers validate with (zod's own JSON Schema output, draft 2020-12,
 * which is OpenAPI 3.1's schema dialect). Served at /api/openapi.json and
 * rendered at /docs.
 */

export type JsonSchema = { [keyword: string]: unknown };

export interface ErrorCodeDoc {
  code: ErrorCode;
  description: string;
}

export interface OpenApiParameter {
  name: string;
  in: "header" | "query" | "path";
  required: boolean;
  description: string;
  schema: JsonSchema;
  example: string | number;
}

export interface OpenApiExample {
  summary: string;
  value: unknown;
  "x-headers"?: Record<string, string | null>;
}

interface OpenApiMediaType {
  schema: JsonSchema;
  examples?: Record<string, OpenApiExample>;
}

interface OpenApiResponse {
  description: string;
  headers?: Record<string, { $ref: string }>;
  content?: { "application/json": OpenApiMediaType };
  "x-error-codes"?: ErrorCodeDoc[];
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  security?: Array<Record<string, string[]>>;
  parameters?: OpenApiParameter[];
  requestBody?: {
    required: true;
    content: { "application/json": OpenApiMediaType; "application/x-www-form-urlencoded"?: OpenApiMediaType };
  };
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  jsonSchemaDialect: string;
  info: { title: string; version: string; summary: string; description: string };
  servers: Array<{ url: string; description: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Partial<Record<Endpoint["method"], OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, JsonSchema>;
    headers: Record<string, JsonSchema>;
  };
}

const API_VERSION = "1.0.0";
const SCHEMA_REF = "#/components/schemas/";

const TAGS: Record<Flavour, { name: string; description: string }> = {
  partner: {
    name: "Partner API",
    description:
      "Two-step registration with an emailed code, OAuth-style tokens and the client's wallet. Partners name themselves with the `partnerId` header, or by calling from a host of their own.",
  },
  "white-label": {
    name: "White-label API",
    description:
      "One-step registration for a partner's branded app. The partner is the owner of the master API key in `Authorization`, else the one named by the `partnerId` header, else the one whose host the request is sent to, else the instance's default partner.",
  },
  shared: { name: "Shared", description: "Endpoints used by both flavours and by operators." },
};

const errorSchema = z
  .object({
    error: z.object({
      code: z
        .enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]])
        .meta({ description: "Stable and machine-readable; branch on this, not on the message." }),
      message: z.string().meta({ description: "Safe to show to a person; may change wording." }),
      fields: z
        .array(
          z.object({
            path: z.string().meta({
              description:
                'The offending field: a dotted body path such as "password", or a header name such as "partnerId".',
              example: "password",
            }),
            message: z.string(),
          }),
        )
        .meta({ description: "Every offending field; empty when the error is not about a field." }),
      requestId: z.string().meta({ description: "Also in the x-request-id header; quote it when asking for support." }),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .meta({ description: "Extra facts for some codes, such as `attemptsRemaining` or the exceeded `quota`." }),
    }),
  })
  .meta({ id: "Error", description: "The body of every error answer." });

// Fails to compile when server/errors.ts changes the error shape without this schema following.
({}) as z.infer<typeof errorSchema> satisfies ErrorBody;

/** What each code means to an integrator; a Record so a new code cannot go undocumented. */
const ERROR_CODE_DESCRIPTIONS: Record<ErrorCode, string> = {
  validation_failed: "A body field is missing or invalid; `fields` names each one.",
  invalid_json: "The body is not valid JSON.",
  invalid_request:
    "A header is malformed (for example `partnerId` is not a positive 32-bit integer), or the header and body disagree.",
  payload_too_large: "The body is larger than the instance allows (64 KiB by default).",
  unsupported_media_type: "The body was not sent as `application/json`.",
  partner_required: "No partner was named: send a master API key or the `partnerId` header.",
  partner_not_found: "No partner has this `partnerId`.",
  partner_suspended: "The partner is suspended.",
  user_type_not_allowed: "The partner does not allow this `userType`.",
  master_key_required: "Verification fields were sent without the partner's master API key.",
  invalid_api_key: "The API key in `Authorization` is unknown or revoked.",
  captcha_required: "The partner requires a solved captcha in the `Captcha-token` header.",
  captcha_invalid: "The captcha solution is wrong, expired, for another partner or already used.",
  quota_exceeded:
    "An hourly quota is used up: the partner's registrations (per IP address or in total), or password reset requests or attempts (per IP address or per email); `details.quota` names it. See `Retry-After`.",
  too_many_attempts:
    "Too many failed sign-ins for this account or address, or too many unknown or revoked API keys from this address (30 in 15 minutes); see `Retry-After`.",
  resend_cooldown: "A code was sent moments ago; see `Retry-After`.",
  resend_limit_reached: "The daily number of codes for this address is reached.",
  confirmation_code_invalid: "The code is wrong; `details.attemptsRemaining` says how many tries are left.",
  confirmation_code_expired: "The code has expired; ask for a new one.",
  confirmation_locked: "Too many wrong codes: the confirmation is locked; start again.",
  password_mismatch: "Step 2 sent a different password from step 1.",
  email_taken: "The email is already registered with this partner.",
  already_confirmed: "The email is already confirmed.",
  invalid_credentials: "The email or password is not correct.",
  unauthorized: "No bearer token was sent.",
  invalid_token: "The access token is not valid.",
  token_expired: "The access token has expired; refresh it.",
  refresh_token_invalid: "The refresh token is unknown or belongs to another partner.",
  refresh_token_expired: "The refresh token has expired; sign in again.",
  refresh_token_reused: "The refresh token was already used; every session of its family has been ended.",
  account_inactive: "The client's profile is suspended or blocked.",
  verification_already_approved: "The client's identity is already verified; there is nothing to submit.",
  verification_rejected_final: "The verification was rejected as final; the client may not submit again.",
  webhook_signature_invalid: "The webhook's `X-Payload-Digest` is missing or does not match the body.",
  webhook_digest_alg_unsupported:
    "The webhook's `X-Payload-Digest-Alg` is missing or not one of HMAC_SHA1_HEX, HMAC_SHA256_HEX, HMAC_SHA512_HEX.",
  tier_not_found: "No active tier of the client's partner has this `subscriptionDetailsId`.",
  account_not_found: "The `accountId` is not one of the client's accounts.",
  invoice_not_found: "The invoice is not one of the client's.",
  payment_not_found: "The payment is not one of the client's.",
  subscription_not_found: "The subscription is not one of the client's.",
  already_subscribed: "The client already has a live subscription to this tier.",
  currency_mismatch:
    "The account's (or the sent) currency is not the tier's or invoice's; Gatehouse does not convert currencies.",
  insufficient_funds:
    "The account's balance does not cover the invoice; `details` gives the amount and the balance. Nothing was debited.",
  invoice_not_payable: "The invoice was voided.",
  payment_account_conflict: "The invoice's payment is already set up from another account.",
  subscription_cancelled: "The subscription is already cancelled or ending.",
  idempotency_key_invalid: "The `Idempotency-Key` header is not 1 to 255 visible ASCII characters.",
  idempotency_key_reused: "The `Idempotency-Key` was used before with a different request.",
  sandbox_only: "Only clients of sandbox partners can be credited this way.",
  kyc_unavailable:
    "The partner is live and this instance has no identity-verification provider configured (Sumsub); nothing to retry until the operator sets one up.",
  forbidden:
    "The credentials do not allow this, for example a `partnerId` header naming another partner than the API key's.",
  not_found: "The resource does not exist.",
  method_not_allowed: "The HTTP method is not supported here.",
  conflict: "The request conflicts with the current state.",
  server_busy: "Too many password checks are queued; retry after `Retry-After` seconds.",
  service_unavailable: "A dependency (the database) is unavailable; retry after `Retry-After` seconds.",
  internal_error: "An unexpected failure; the `requestId` identifies it in the logs.",
};

const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  402: "Payment required",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  410: "Gone",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  423: "Locked",
  429: "Too many requests",
  500: "Internal server error",
  503: "Service unavailable",
};

/** Raised by route() for every endpoint that reads a JSON body. */
const BODY_ERRORS: ErrorCode[] = ["invalid_json", "payload_too_large", "unsupported_media_type", "validation_failed"];
/** Possible on every endpoint. */
const ALWAYS_ERRORS: ErrorCode[] = ["service_unavailable", "internal_error"];

function schemaId(schema: z.ZodType): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id)
    throw new Error(
      "Every request and response schema of the public API needs .meta({ id }) to become an OpenAPI component",
    );
  return id;
}

const ref = (id: string) => ({ $ref: SCHEMA_REF + id });

/** JSON Schema keywords that do not belong inside an OpenAPI component. */
function withoutRootKeywords(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * Converts schemas to components with one registry per direction: request
 * bodies as the client may send them (`io: "input"`: defaults are optional),
 * responses as the server produces them (`io: "output"`).
 */
function toComponents(schemas: z.ZodType[], io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const schema of new Set(schemas)) registry.add(schema, { id: schemaId(schema) });
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    target: "draft-2020-12",
    uri: (id) => SCHEMA_REF + id,
  });
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(converted)) {
    // Named schemas nested in a component land in "__shared"; lift them to components of their own.
    if (id === "__shared") Object.assign(components, (schema as { $defs?: Record<string, JsonSchema> }).$defs ?? {});
    else components[id] = withoutRootKeywords(schema);
  }
  return JSON.parse(
    JSON.stringify(components).replaceAll(`"${SCHEMA_REF}__shared#/$defs/`, `"${SCHEMA_REF}`),
  ) as Record<string, JsonSchema>;
}

function inlineSchema(schema: z.ZodType): JsonSchema {
  return withoutRootKeywords(z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }));
}

function parameter(p: Parameter): OpenApiParameter {
  const schema = inlineSchema(p.schema);
  if (p.name === "partnerId") schema.format = "int32";
  return { name: p.name, in: p.in, required: p.required, description: p.description, schema, example: p.example };
}

function security(e: Endpoint): Array<Record<string, string[]>> | undefined {
  if (!e.security) return undefined;
  const required = { [e.security.scheme]: [] };
  return e.security.optional ? [{}, required] : [required];
}

const commonHeaders = (retryAfter: boolean) => ({
  "x-request-id": { $ref: "#/components/headers/RequestId" },
  ...(retryAfter ? { "Retry-After": { $ref: "#/components/headers/RetryAfter" } } : {}),
});

/** The token endpoint's errors (RFC 6749 §5.2), by status, each code with what it means here. */
function oauthErrorResponses(): Record<string, OpenApiResponse> {
  const byStatus = new Map<number, Array<(typeof OAUTH_ERROR_CODES)[number]>>();
  for (const code of OAUTH_ERROR_CODES)
    for (const status of OAUTH_ERROR_DOCS[code].statuses) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: `${STATUS_TEXT[status] ?? "Error"} (RFC 6749 §5.2 \`error\`): ${group.map((c) => `\`${c}\`: ${OAUTH_ERROR_DOCS[c].description}`).join(" ")}`,
      headers: commonHeaders(status === 429 || status === 503),
      content: {
        "application/json": {
          schema: ref("OAuthError"),
          examples: Object.fromEntries(
            group.map((code) => [
              code,
              {
                summary: code,
                value: { error: code, error_description: OAUTH_ERROR_DOCS[code].description.replace(/[`"]/g, "'") },
              },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}

function errorResponses(e: Endpoint): Record<string, OpenApiResponse> {
  if (e.oauthErrors) return oauthErrorResponses();
  const codes = [...new Set([...e.errors, ...(e.body ? BODY_ERRORS : []), ...ALWAYS_ERRORS])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    // An endpoint that documents its own answer for this status (health's 503) keeps it.
    if (e.responses[status]) continue;
    responses[status] = {
      description: `${STATUS_TEXT[status] ?? "Error"}: ${group.map((c) => `\`${c}\``).join(", ")}.`,
      headers: commonHeaders(status === 429 || status === 503),
      content: {
        "application/json": {
          schema: ref("Error"),
          examples: Object.fromEntries(
            group.map((code) => [
              code,
              {
                summary: code,
                value: {
                  error: {
                    code,
                    message: ERROR_CODE_DESCRIPTIONS[code],
                    fields: [],
                    requestId: "8f14e45f-ceea-467f-a0e6-6b1a2c3d4e5f",
                  },
                },
              },
            ]),
          ),
        },
      },
      "x-error-codes": group.map((code) => ({ code, description: ERROR_CODE_DESCRIPTIONS[code] })),
    };
  }
  return responses;
}

function examples(list: Record<string, Example>): Record<string, OpenApiExample> {
  return Object.fromEntries(
    Object.entries(list).map(([name, x]) => [
      name,
      { summary: x.summary, value: x.value, ...(x.headers ? { "x-headers": x.headers } : {}) },
    ]),
  );
}

function requestContent(body: NonNullable<Endpoint["body"]>): NonNullable<OpenApiOperation["requestBody"]>["content"] {
  const media = { schema: ref(schemaId(body.schema)), examples: examples(body.examples) };
  return body.formEncoded
    ? { "application/x-www-form-urlencoded": media, "application/json": media }
    : { "application/json": media };
}

function operation(e: Endpoint): OpenApiOperation {
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, r] of Object.entries(e.responses)) {
    responses[status] = {
      description: r.description,
      headers: commonHeaders(r.retryAfter ?? false),
      content: { "application/json": { schema: ref(schemaId(r.schema)) } },
    };
  }
  const sec = security(e);
  return {
    operationId: e.operationId,
    tags: [TAGS[e.flavour].name],
    summary: e.summary,
    description: e.description,
    ...(sec ? { security: sec } : {}),
    ...(e.parameters ? { parameters: e.parameters.map(parameter) } : {}),
    ...(e.body ? { requestBody: { required: true as const, content: requestContent(e.body) } } : {}),
    responses: { ...responses, ...errorResponses(e) },
  };
}

const DESCRIPTION = `Gatehouse registers clients for white-label fintech partners. One domain serves two API flavours:

- **Partner API**: \`POST /reg/user\` registers a client in two steps (an emailed code, then the same call with the code), \`POST /oauth/token\` refreshes tokens or signs in, \`GET /wallet/accounts\` lists the client's accounts, \`POST /reg/verification\` and \`GET /reg/verification\` run identity verification (Sumsub, or a built-in sandbox). The partner is named by the \`partnerId\` header, or by the host the request is sent to (below). \`POST /reg/password/forgot\` and \`POST /reg/password/reset\` let a client who forgot the password choose a new one.
- **White-label API**: \`POST /api/public/register\` registers a client in one step; the partner's master API key in \`Authorization\` unlocks verification fields. \`POST /api/public/authenticate\` signs in and \`POST /api/token/refresh\` rotates tokens; \`POST /api/public/password/forgot\` and \`POST /api/public/password/reset\` reset a forgotten password.

Access tokens are RS256 JWTs; verify them with the keys at \`/.well-known/jwks.json\`. Refresh tokens are opaque and rotate on every use.

**Which partner a request acts for**, on every endpoint that needs one: the owner of the master API key in \`Authorization\` (white-label endpoints), else the \`partnerId\` header (or \`partnerId\` in the body where an endpoint takes it; both must then agree), else the partner whose host the request was sent to (a partner serving its white-label app at \`api.acmepay.example\` lists that host; behind proxies the host is read from \`X-Forwarded-Host\` only as far as the instance trusts them), else the instance's default partner; with none of these the answer is 400 \`partner_required\`.

**Browser apps (CORS).** Every endpoint answers \`OPTIONS\` preflights. An origin the partner lists (https, or \`http://localhost:PORT\` for sandbox partners) gets \`Access-Control-Allow-Origin\` with that origin (never \`*\`), the methods, the headers the API reads (\`content-type, authorization, partnerid, captcha-token, device-type, idempotency-key, x-request-id\`) and a \`Access-Control-Max-Age\` of 600 seconds; answers, errors included, carry the origin too and expose \`x-request-id\` and \`Retry-After\`. Any other origin gets a 204 preflight without CORS headers, so the browser refuses the call. A preflight carries no \`partnerId\`, so it is decided by the host's partner, or on a shared host by whether any partner lists the origin; the answer itself is readable only by an origin of the partner the request names. Credentials (cookies) are never allowed: tokens go in \`Authorization\`.

Every error is JSON in one shape (the \`Error\` schema; only the OAuth token endpoint \`POST /oauth/token\` answers in RFC 6749's own, the \`OAuthError\` schema) with a stable \`code\`, a safe \`message\`, the offending \`fields\` and a \`requestId\` that is also in the \`x-request-id\` header. Quotas answer 429 with \`Retry-After\`; outages answer 503.`;

export function buildOpenApiDocument(): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const e of endpoints) (paths[e.path] ??= {})[e.method] = operation(e);

  const requests = toComponents(
    endpoints.flatMap((e) => (e.body ? [e.body.schema] : [])),
    "input",
  );
  const responses = toComponents(
    [
      errorSchema,
      ...(endpoints.some((e) => e.oauthErrors) ? [oauthErrorSchema] : []),
      ...endpoints.flatMap((e) => Object.values(e.responses).map((r) => r.schema)),
    ],
    "output",
  );
  for (const id of Object.keys(requests))
    if (id in responses) throw new Error(`Schema id "${id}" is used by both a request and a response`);

  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: {
      title: "Gatehouse API",
      version: API_VERSION,
      summary: "Client onboarding for white-label fintech partners",
      description: DESCRIPTION,
    },
    servers: [{ url: config().APP_URL.replace(/\/+$/, ""), description: "This instance" }],
    tags: Object.values(TAGS),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries({ ...requests, ...responses }).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        masterKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "Master API key (ghk_…)",
          description:
            "A partner's master API key, shown once when it is created. Send `Authorization: Bearer ghk_…` (the bare key is accepted too). Keep it on the partner's servers; it names the partner and unlocks privileged fields.",
        },
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A client's access token (RS256 JWT) from registration, sign-in or refresh: `Authorization: Bearer <access token>`.",
        },
      },
      headers: {
        RequestId: {
          description: "Identifies the request in the logs; echoes a well-formed incoming x-request-id.",
          schema: { type: "string" },
        },
        RetryAfter: { description: "Seconds to wait before retrying.", schema: { type: "integer", minimum: 0 } },
      },
    },
  };
}
