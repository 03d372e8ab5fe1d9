import { z } from "zod";
import { accountSchema } from "../accounts/accounts";
import { captchaChallengeSchema } from "../captcha/captcha";
import type { ErrorCode } from "../errors";
import type { Health } from "../health";
import {
  verificationRequestSchema,
  verificationStartedSchema,
  verificationStateSchema,
  webhookAckSchema,
  webhookPayloadSchema,
} from "../kyc/schemas";
import {
  invoiceViewSchema,
  paidSchema,
  paymentRequestSchema,
  paymentViewSchema,
  payRequestSchema,
  startSubscriptionSchema,
  subscriptionListSchema,
  subscriptionStartedSchema,
  subscriptionViewSchema,
  tierListSchema,
} from "../billing/schemas";
import { partnerIdSchema } from "../partners/schemas";
import {
  FORGOT_ANSWER_FLOOR_MS,
  FORGOT_PER_ACCOUNT_HOUR,
  FORGOT_PER_IP_HOUR,
  RESET_TRIES_PER_ACCOUNT_HOUR,
  RESET_TRIES_PER_IP_HOUR,
} from "../registration/password-reset";
import {
  deviceTypeSchema,
  emailConfirmationSchema,
  partnerPasswordResetSchema,
  partnerRegistrationSchema,
  partnerTokenRequestSchema,
  passwordForgotSchema,
  refreshRequestSchema,
  verificationStatusSchema,
  whiteLabelLoginSchema,
  whiteLabelPasswordResetSchema,
  whiteLabelRegistrationSchema,
} from "../registration/schemas";
import { CLIENT_SCOPES, PARTNER_ACCESS_TTL_SECONDS } from "../tokens/access-token";
import { partnerTokenResponseSchema, whiteLabelTokenResponseSchema } from "../tokens/responses";

/**
 * What each public endpoint accepts and answers, in terms of the zod schemas
 * the handlers validate with. document.ts turns this list into OpenAPI; the
 * test in tests/openapi checks that every route handler under app/ is listed.
 */

export type Flavour = "partner" | "white-label" | "shared";
type SecuritySchemeName = "masterKey" | "bearerAuth";

export interface Parameter {
  name: string;
  in: "header" | "query" | "path";
  required: boolean;
  description: string;
  schema: z.ZodType;
  example: string | number;
}

export interface Example {
  summary: string;
  value: unknown;
  /** Headers this example needs beyond the usual ones (null drops one), for the curl examples of /docs. */
  headers?: Record<string, string | null>;
}

interface SuccessResponse {
  description: string;
  /** Every schema named here carries `.meta({ id })` and becomes a component. */
  schema: z.ZodType;
  retryAfter?: boolean;
}

export interface Endpoint {
  method: "get" | "post";
  path: string;
  operationId: string;
  flavour: Flavour;
  summary: string;
  description: string;
  /** `optional` adds an anonymous alternative: the credential changes what the call may do. */
  security?: { scheme: SecuritySchemeName; optional: boolean };
  parameters?: Parameter[];
  /** `formEncoded`: the same parameters are also taken as application/x-www-form-urlencoded (the OAuth token endpoint). */
  body?: { schema: z.ZodType; examples: Record<string, Example>; formEncoded?: boolean };
  /** Errors in RFC 6749 §5.2's shape (OAuthError) instead of the Error schema: the OAuth token endpoint, whose `errors` then stay empty. */
  oauthErrors?: boolean;
  responses: Record<number, SuccessResponse>;
  /** Errors the endpoint's own rules raise; body, transport and outage errors are added by document.ts. */
  errors: ErrorCode[];
}

// Schemas of answers that no service owns as a named type.

const acceptedSchema = z
  .object({})
  .meta({ id: "Accepted", description: "An empty object: the request was accepted and an email is on its way." });

const accountListSchema = z.array(accountSchema).meta({ id: "AccountList" });

const passwordResetRequestedSchema = z.object({}).meta({
  id: "PasswordResetRequested",
  description:
    "An empty object, the same for every address: when the address is an active client's, a code and a link are on their way.",
});

const passwordChangedSchema = z
  .object({ passwordChanged: z.literal(true) })
  .meta({ id: "PasswordChanged", example: { passwordChanged: true } });

const forgotRules = `The answer is the same \`202 {}\`, and takes the same time (at least ${FORGOT_ANSWER_FLOOR_MS} ms), whether or not the email belongs to a client of the partner, so the endpoint does not reveal who is registered. A client gets an email with a 6-digit code (sandbox partners: always \`12345\`) and a link, both valid for 30 minutes and usable once; asking again within 60 seconds, or more than 5 times a day, sends nothing more. Requests are limited per IP address (${FORGOT_PER_IP_HOUR} an hour) and per partner and email (${FORGOT_PER_ACCOUNT_HOUR} an hour, counted alike for every address): beyond that 429 \`quota_exceeded\` with \`Retry-After\`.`;

const resetRules = (policy: string) =>
  `Sets a new password with the emailed code and the email, or with the \`token\` of the emailed link, under the ${policy} password policy. The new password replaces the old one at once, every session of the client ends (each refresh token is revoked), and the client is emailed that the password was changed. The password must also meet the policy of the client's own flavour (a partner API client's, whichever endpoint is called): else 422 \`validation_failed\` naming \`password\`, checked only once the code or token is right. The code rules are those of registration (five wrong codes lock the reset, even against the right code), but with the email and code every refusal is the same 400 \`confirmation_code_invalid\`, without details, as for an email that is no client's: a wrong, used, expired or locked code, or a suspended or blocked client. With the link's \`token\`, an expired reset answers 410 \`confirmation_code_expired\` and a locked one 423 \`confirmation_locked\`; any other refusal is 400 \`confirmation_code_invalid\`. Attempts are limited per IP address (${RESET_TRIES_PER_IP_HOUR} an hour) and per partner and email (${RESET_TRIES_PER_ACCOUNT_HOUR} an hour): beyond that 429 \`quota_exceeded\`.`;

const emailConfirmedSchema = z
  .object({ confirmed: z.literal(true), verificationStatus: verificationStatusSchema })
  .meta({ id: "EmailConfirmed", example: { confirmed: true, verificationStatus: "email_verified" } });

const jsonWebKeySetSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal("RSA"),
        n: z.string().meta({ description: "RSA modulus, base64url" }),
        e: z.string().meta({ description: "RSA public exponent, base64url", example: "AQAB" }),
        kid: z.string().meta({ description: "Matches the `kid` in the header of access tokens signed with this key" }),
        alg: z.literal("RS256"),
        use: z.literal("sig"),
      }),
    ),
  })
  .meta({ id: "JsonWebKeySet" });

const authorizationServerMetadataSchema = z
  .object({
    issuer: z.string().meta({ description: "The `iss` of every access token" }),
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    grant_types_supported: z.array(z.enum(["password", "refresh_token"])),
    token_endpoint_auth_methods_supported: z.array(z.literal("none")),
    response_types_supported: z.array(z.string()).meta({ description: "Empty: there is no authorization endpoint" }),
    scopes_supported: z.array(z.string()),
    service_documentation: z.string(),
  })
  .meta({
    id: "AuthorizationServerMetadata",
    example: {
      issuer: "https://onboarding.example.com",
      token_endpoint: "https://onboarding.example.com/oauth/token",
      jwks_uri: "https://onboarding.example.com/.well-known/jwks.json",
      grant_types_supported: ["password", "refresh_token"],
      token_endpoint_auth_methods_supported: ["none"],
      response_types_supported: [],
      scopes_supported: ["accounts:read", "profile:read", "verification:create"],
      service_documentation: "https://onboarding.example.com/docs",
    },
  });

const healthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    database: z.enum(["up", "down"]),
    mode: z.enum(["embedded", "postgresql"]),
    latencyMs: z.number().int().nonnegative(),
  })
  .meta({ id: "Health" });

// Fails to compile when server/health.ts changes its answer without this schema following.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<z.infer<typeof healthSchema>, Health>;

// Headers.

const CLIENT_AUTH_ERRORS: ErrorCode[] = ["unauthorized", "invalid_token", "token_expired", "account_inactive"];
const IDEMPOTENCY_ERRORS: ErrorCode[] = ["idempotency_key_invalid", "idempotency_key_reused", "conflict"];

const idempotencyKeyHeader: Parameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Any unique string (a UUID is best), 1 to 255 visible ASCII characters. The first answer to a key is stored for 24 hours and replayed to retries (with `Idempotent-Replayed: true`); the same key with a different request is refused with 422. A request that fails stores nothing, so it can be retried with the same key.",
  schema: z.string().min(1).max(255),
  example: "3f1c2a7e-8d4b-4c1e-9a2f-6b5d7e8f9a0c",
};

const invoiceIdPath: Parameter = {
  name: "invoiceId",
  in: "path",
  required: true,
  description: "The invoice's id (the `id` answered by `POST /reg/subscription`).",
  schema: z.uuid(),
  example: "5d0c3a8e-7b1f-4e52-9a6d-0e4b8f2c1a7d",
};
const subscriptionIdPath: Parameter = {
  name: "subscriptionId",
  in: "path",
  required: true,
  description: "The subscription's id.",
  schema: z.uuid(),
  example: "7a9b1c3d-5e7f-4a1b-8c2d-4e6f8a0b2c4d",
};

const partnerIdHeader = (required: boolean, description: string): Parameter => ({
  name: "partnerId",
  in: "header",
  required,
  description,
  schema: partnerIdSchema,
  // The sandbox partner a fresh embedded install seeds.
  example: 1000,
});

const whiteLabelPartnerHeader = partnerIdHeader(
  false,
  "The partner this request acts for (a positive 32-bit integer issued by the partner's key account manager). Ignored in favour of the key's partner when a master API key is sent, and must then name the same partner. Without either, the partner whose host the request is sent to (its white-label host), else the instance's default partner; with none the request is refused with 400 `partner_required`.",
);

const captchaTokenHeader: Parameter = {
  name: "Captcha-token",
  in: "header",
  required: false,
  description:
    "Required when the partner has captcha switched on. A solved proof-of-work challenge from `GET /api/public/captcha`: base64url of the JSON `{algorithm, salt, challenge, number, signature}`. Each solution is accepted once.",
  schema: z.string().min(1).max(4096),
  example: "eyJhbGdvcml0aG0iOiJTSEEtMjU2Ii...",
};

const deviceTypeHeader: Parameter = {
  name: "Device-type",
  in: "header",
  required: false,
  description: "Sent by mobile apps; recorded on the client. A short name such as `ios` or `android`.",
  schema: deviceTypeSchema,
  example: "ios",
};

const registerExample = {
  firstName: "Jane",
  lastName: "Doe",
  email: "jane.doe@example.com",
  countryCode: "LV",
  password: "Qwerty123",
  referralCode: null,
  agreed: true,
  birthDate: "1990-04-03",
};

/** Step 2 of a password reset, with the code or with the link's token, and a new password the flavour's policy accepts. */
function passwordResetExamples(password: string) {
  return {
    code: { summary: "With the emailed code", value: { email: "jane.doe@example.com", code: "482913", password } },
    link: { summary: "With the link's token", value: { token: "c2VjcmV0LWxpbmstdG9rZW4", password } },
  };
}

export const endpoints: Endpoint[] = [
  {
    method: "post",
    path: "/reg/user",
    operationId: "createUser",
    flavour: "partner",
    summary: "Create a new user (two steps with an emailed code)",
    description:
      "Partner API. Step 1 (no `emailConfirmCode`): stores a pending registration, emails a 6-digit code and answers 202 with `{}`. The answer is the same whether or not the email already has an account, so the endpoint does not reveal who is registered. Repeating step 1 re-sends the code after a 60-second cooldown, up to a daily cap. Step 2 (the same body plus `emailConfirmCode`): creates the client with a CHECKING account and answers 201 with tokens. Codes are single use and valid for 10 minutes; five wrong codes lock the registration. Sandbox partners always use the code `12345`.",
    parameters: [
      partnerIdHeader(
        false,
        "The partner (a positive 32-bit integer). May instead be sent as `partnerId` in the body; when both are sent they must agree. Without either, the partner whose host the request is sent to, else the instance's default partner; with none the request is refused with 400 `partner_required`.",
      ),
    ],
    body: {
      schema: partnerRegistrationSchema,
      examples: {
        step1: {
          summary: "Step 1: ask for a code",
          value: { email: "jane.doe@example.com", password: "A9#bL8@z", userType: "CUSTOMER" },
        },
        step2: {
          summary: "Step 2: confirm with the emailed code",
          value: {
            email: "jane.doe@example.com",
            password: "A9#bL8@z",
            userType: "CUSTOMER",
            emailConfirmCode: "12345",
          },
        },
      },
    },
    responses: {
      201: { description: "Step 2 succeeded: the client exists and is signed in.", schema: partnerTokenResponseSchema },
      202: {
        description: "Step 1 accepted: a code was emailed (or, for an existing client, a notice).",
        schema: acceptedSchema,
      },
    },
    errors: [
      "invalid_request",
      "partner_required",
      "partner_not_found",
      "partner_suspended",
      "user_type_not_allowed",
      "confirmation_code_invalid",
      "password_mismatch",
      "confirmation_code_expired",
      "confirmation_locked",
      "email_taken",
      "quota_exceeded",
      "resend_cooldown",
      "resend_limit_reached",
      "server_busy",
    ],
  },
  {
    method: "post",
    path: "/oauth/token",
    operationId: "issueToken",
    flavour: "partner",
    summary: "Exchange a refresh token or a password for tokens",
    description: `Partner API token endpoint, as RFC 6749 describes it (§4.3 and §6): send the parameters form-encoded (\`application/x-www-form-urlencoded\`, as OAuth client libraries do) or as a JSON object. \`grant_type: "refresh_token"\` rotates the refresh token: the old one stops working, and presenting an already rotated token ends every session of that family. \`grant_type: "password"\` signs a client in and needs the partner (header or body). An optional \`scope\` must name scopes the API knows; the token carries all of the client's scopes. Access tokens last ${PARTNER_ACCESS_TTL_SECONDS} seconds; scopes: ${CLIENT_SCOPES.join(", ")}. Unlike the rest of the API, errors here follow RFC 6749 §5.2: \`{"error": "invalid_grant", "error_description": "…"}\`, status 400 (401 for \`invalid_client\`; 429 and 503, with \`Retry-After\`, as \`temporarily_unavailable\`), the request id in the \`x-request-id\` header. Every answer carries \`Cache-Control: no-store\` and \`Pragma: no-cache\`.`,
    parameters: [
      partnerIdHeader(
        false,
        "The partner. For the password grant it may instead be `partnerId` in the body, or the partner whose host the request is sent to, else the instance's default partner. With the refresh grant a partner named this way (header or host) restricts the token to that partner.",
      ),
    ],
    body: {
      schema: partnerTokenRequestSchema,
      examples: {
        refresh: { summary: "Refresh", value: { grant_type: "refresh_token", refresh_token: "rt_3q2+7w..." } },
        password: {
          summary: "Sign in",
          value: { grant_type: "password", username: "jane.doe@example.com", password: "A9#bL8@z" },
        },
        scoped: {
          summary: "Sign in naming scopes, partner in the body",
          value: {
            grant_type: "password",
            username: "jane.doe@example.com",
            password: "A9#bL8@z",
            partnerId: 1000,
            scope: "accounts:read invoices:pay",
          },
        },
      },
      formEncoded: true,
    },
    responses: { 200: { description: "New tokens.", schema: partnerTokenResponseSchema } },
    oauthErrors: true,
    errors: [],
  },
  {
    method: "post",
    path: "/reg/password/forgot",
    operationId: "forgotPassword",
    flavour: "partner",
    summary: "Ask for a password reset email",
    description: `Partner API. ${forgotRules}`,
    parameters: [
      partnerIdHeader(
        true,
        "The partner (a positive 32-bit integer), or the partner whose host the request is sent to.",
      ),
    ],
    body: {
      schema: passwordForgotSchema,
      examples: { forgot: { summary: "Forgot password", value: { email: "jane.doe@example.com" } } },
    },
    responses: {
      202: { description: "Accepted; the same answer for every address.", schema: passwordResetRequestedSchema },
    },
    errors: ["invalid_request", "partner_required", "partner_not_found", "partner_suspended", "quota_exceeded"],
  },
  {
    method: "post",
    path: "/reg/password/reset",
    operationId: "resetPassword",
    flavour: "partner",
    summary: "Set a new password with the emailed code",
    description: `Partner API. ${resetRules("partner API (8–32 characters with lower- and upper-case Latin letters, a digit and a symbol)")}`,
    parameters: [
      partnerIdHeader(
        true,
        "The partner (a positive 32-bit integer), or the partner whose host the request is sent to.",
      ),
    ],
    body: {
      schema: partnerPasswordResetSchema,
      examples: passwordResetExamples("N3w#Secret"),
    },
    responses: {
      200: { description: "The password is changed and every session has ended.", schema: passwordChangedSchema },
    },
    errors: [
      "invalid_request",
      "partner_required",
      "partner_not_found",
      "partner_suspended",
      "confirmation_code_invalid",
      "confirmation_code_expired",
      "confirmation_locked",
      "quota_exceeded",
      "server_busy",
    ],
  },
  {
    method: "get",
    path: "/wallet/accounts",
    operationId: "listAccounts",
    flavour: "partner",
    summary: "List the client's accounts",
    description:
      "Partner API. The signed-in client's accounts with balances computed from the ledger. Use an account's `id` as `accountId` when buying a subscription.",
    security: { scheme: "bearerAuth", optional: false },
    responses: { 200: { description: "The client's accounts.", schema: accountListSchema } },
    errors: ["unauthorized", "invalid_token", "token_expired", "account_inactive"],
  },
  {
    method: "post",
    path: "/reg/verification",
    operationId: "startVerification",
    flavour: "partner",
    summary: "Start identity verification (SUMSUB)",
    description:
      "Partner API. Creates the client's Sumsub applicant (its `externalUserId` is the client's id) on first use and answers with a Web/Mobile SDK access token for it. Call again for a fresh token, and after a rejection with `rejectType: RETRY` to resubmit. Refused with 409 once the client is verified or after a final rejection. A sandbox partner's clients use the built-in sandbox provider: `provider` is `SANDBOX` and `sandboxUrl` is a page where a tester approves or rejects. A live partner's clients always go to Sumsub; on an instance without Sumsub credentials they get 503 `kyc_unavailable` (no `Retry-After`: it lasts until the operator configures Sumsub).",
    security: { scheme: "bearerAuth", optional: false },
    body: { schema: verificationRequestSchema, examples: { sumsub: { summary: "Sumsub", value: { type: "SUMSUB" } } } },
    responses: {
      200: { description: "An SDK access token for the client's applicant.", schema: verificationStartedSchema },
    },
    errors: [
      "unauthorized",
      "invalid_token",
      "token_expired",
      "account_inactive",
      "verification_already_approved",
      "verification_rejected_final",
      "kyc_unavailable",
    ],
  },
  {
    method: "get",
    path: "/reg/verification",
    operationId: "getVerification",
    flavour: "partner",
    summary: "The client's verification state",
    description:
      "Partner API. The review status (`not_started`, `init`, `pending`, `onHold`, `completed`), the verdict (`GREEN`/`RED`), the reject type and labels, the reviewer's comment meant for the client, whether the client may submit, and the resulting verification status and level.",
    security: { scheme: "bearerAuth", optional: false },
    responses: { 200: { description: "The current state.", schema: verificationStateSchema } },
    errors: ["unauthorized", "invalid_token", "token_expired", "account_inactive"],
  },
  {
    method: "post",
    path: "/api/webhooks/sumsub",
    operationId: "sumsubWebhook",
    flavour: "shared",
    summary: "Sumsub webhook receiver",
    description:
      "Shared by both flavours; called by Sumsub (and by this instance's sandbox provider), not by partners. `X-Payload-Digest` must be the hex HMAC of the raw body with the webhook secret, using the algorithm in `X-Payload-Digest-Alg`; it is compared in constant time and every refusal is audited. Events are idempotent (a redelivery answers `duplicate`), and an event older (`createdAtMs`) than the last applied one answers `stale`; neither changes anything. `applicantReviewed` GREEN makes the client `identified` at the partner's KYC approved level; RED records the reject type, labels and comments.",
    parameters: [
      {
        name: "X-Payload-Digest",
        in: "header",
        required: true,
        description: "Lower-case hex HMAC of the raw body with the webhook secret.",
        schema: z.string(),
        example: "f6e92ffe371718694d6a7e5a6a7e1e9b0b2a6a5b5a1c7a3f6b7d3e8e0b1c2d3e",
      },
      {
        name: "X-Payload-Digest-Alg",
        in: "header",
        required: true,
        description: "The HMAC: `HMAC_SHA1_HEX`, `HMAC_SHA256_HEX` or `HMAC_SHA512_HEX`.",
        schema: z.enum(["HMAC_SHA1_HEX", "HMAC_SHA256_HEX", "HMAC_SHA512_HEX"]),
        example: "HMAC_SHA256_HEX",
      },
    ],
    body: {
      schema: webhookPayloadSchema,
      examples: {
        approved: {
          summary: "applicantReviewed, GREEN",
          value: {
            type: "applicantReviewed",
            applicantId: "5cb56e8e0a975a35f333cb83",
            externalUserId: "f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1",
            correlationId: "req-a260b669",
            levelName: "basic-kyc-level",
            reviewStatus: "completed",
            createdAtMs: "2026-02-21 13:23:19.321",
            reviewResult: { reviewAnswer: "GREEN" },
          },
        },
        rejected: {
          summary: "applicantReviewed, RED with RETRY",
          value: {
            type: "applicantReviewed",
            applicantId: "5cb56e8e0a975a35f333cb83",
            externalUserId: "f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1",
            correlationId: "req-b371c77a",
            levelName: "basic-kyc-level",
            reviewStatus: "completed",
            createdAtMs: "2026-02-21 14:02:11.004",
            reviewResult: {
              reviewAnswer: "RED",
              reviewRejectType: "RETRY",
              rejectLabels: ["UNSATISFACTORY_PHOTOS"],
              moderationComment: "The photo is blurred; please upload it again.",
              clientComment: "Blurred document photo.",
            },
          },
        },
      },
    },
    responses: { 200: { description: "The event was received; `result` says what it did.", schema: webhookAckSchema } },
    errors: ["webhook_signature_invalid", "webhook_digest_alg_unsupported"],
  },
  {
    method: "post",
    path: "/api/public/register",
    operationId: "register",
    flavour: "white-label",
    summary: "Register a client in one step",
    description:
      "White-label API. Creates the client at once and signs them in; the client confirms their email afterwards (`POST /api/public/confirm-email`). With the partner's master API key in `Authorization` the caller may also set `verificationStatus`, `verificationLevel` and `clientIp`; sending those without the key is refused with 403, and an address that presents too many unknown or revoked keys is refused for a while (429 with `Retry-After`). Registrations are limited per IP address and in total per partner per hour (429 with `Retry-After`).",
    security: { scheme: "masterKey", optional: true },
    parameters: [whiteLabelPartnerHeader, captchaTokenHeader, deviceTypeHeader],
    body: {
      schema: whiteLabelRegistrationSchema,
      examples: {
        client: { summary: "From the partner's app", value: registerExample },
        privileged: {
          summary: "From the partner's server, with the master API key",
          value: {
            ...registerExample,
            postalCode: "LV-1050",
            address1: "Brivibas iela 1",
            verificationStatus: "identified",
            verificationLevel: 2,
            clientIp: "203.0.113.7",
          },
          headers: { Authorization: "Bearer $MASTER_KEY", partnerId: null },
        },
      },
    },
    responses: {
      201: { description: "The client was created and is signed in.", schema: whiteLabelTokenResponseSchema },
    },
    errors: [
      "invalid_request",
      "partner_required",
      "captcha_required",
      "captcha_invalid",
      "invalid_api_key",
      "master_key_required",
      "forbidden",
      "partner_suspended",
      "partner_not_found",
      "email_taken",
      "quota_exceeded",
      "too_many_attempts",
      "server_busy",
    ],
  },
  {
    method: "post",
    path: "/api/public/authenticate",
    operationId: "authenticate",
    flavour: "white-label",
    summary: "Sign a client in",
    description:
      "White-label API. Checks the client's email and password and answers with a new token pair. Repeated failures for one account or one IP address are refused for a while (429).",
    security: { scheme: "masterKey", optional: true },
    parameters: [whiteLabelPartnerHeader],
    body: {
      schema: whiteLabelLoginSchema,
      examples: { signIn: { summary: "Sign in", value: { username: "jane.doe@example.com", password: "Qwerty123" } } },
    },
    responses: { 200: { description: "New tokens.", schema: whiteLabelTokenResponseSchema } },
    errors: [
      "invalid_request",
      "partner_required",
      "invalid_credentials",
      "invalid_api_key",
      "forbidden",
      "partner_suspended",
      "account_inactive",
      "partner_not_found",
      "too_many_attempts",
      "server_busy",
    ],
  },
  {
    method: "post",
    path: "/api/public/password/forgot",
    operationId: "forgotPasswordWhiteLabel",
    flavour: "white-label",
    summary: "Ask for a password reset email",
    description: `White-label API. The partner is resolved as for registration (master API key, \`partnerId\` header, the request's host, the default partner). ${forgotRules}`,
    security: { scheme: "masterKey", optional: true },
    parameters: [whiteLabelPartnerHeader],
    body: {
      schema: passwordForgotSchema,
      examples: { forgot: { summary: "Forgot password", value: { email: "jane.doe@example.com" } } },
    },
    responses: {
      202: { description: "Accepted; the same answer for every address.", schema: passwordResetRequestedSchema },
    },
    errors: [
      "invalid_request",
      "partner_required",
      "invalid_api_key",
      "forbidden",
      "partner_not_found",
      "partner_suspended",
      "quota_exceeded",
      "too_many_attempts",
    ],
  },
  {
    method: "post",
    path: "/api/public/password/reset",
    operationId: "resetPasswordWhiteLabel",
    flavour: "white-label",
    summary: "Set a new password with the emailed code",
    description: `White-label API. ${resetRules("white-label (at least 8 characters with a lower-case letter, an upper-case letter and a digit)")} The link's page sends the \`partnerId\` from the link as the header.`,
    security: { scheme: "masterKey", optional: true },
    parameters: [whiteLabelPartnerHeader],
    body: {
      schema: whiteLabelPasswordResetSchema,
      examples: passwordResetExamples("Newpass123"),
    },
    responses: {
      200: { description: "The password is changed and every session has ended.", schema: passwordChangedSchema },
    },
    errors: [
      "invalid_request",
      "partner_required",
      "invalid_api_key",
      "forbidden",
      "partner_not_found",
      "partner_suspended",
      "confirmation_code_invalid",
      "confirmation_code_expired",
      "confirmation_locked",
      "quota_exceeded",
      "too_many_attempts",
      "server_busy",
    ],
  },
  {
    method: "get",
    path: "/api/public/captcha",
    operationId: "getCaptcha",
    flavour: "white-label",
    summary: "Get a captcha challenge",
    description:
      "White-label API. A proof-of-work challenge for partners with captcha switched on: the browser finds the secret number and sends the solution in the `Captcha-token` header of `POST /api/public/register`. No third party is involved.",
    parameters: [
      whiteLabelPartnerHeader,
      {
        name: "partnerId",
        in: "query",
        required: false,
        description: "The partner, for pages that cannot set headers; the header wins when both are sent.",
        schema: partnerIdSchema,
        example: 1000,
      },
    ],
    responses: { 200: { description: "A fresh challenge, valid for 10 minutes.", schema: captchaChallengeSchema } },
    errors: ["invalid_request", "partner_required", "partner_suspended", "partner_not_found"],
  },
  {
    method: "post",
    path: "/api/public/confirm-email",
    operationId: "confirmEmail",
    flavour: "white-label",
    summary: "Confirm a client's email",
    description:
      "White-label API. Confirms the email with the `token` from the emailed link, or with the client's id and the emailed code. Moves the client's verification status from `not_verified` to `email_verified`. Five wrong codes lock the confirmation; ask for a new email then.",
    body: {
      schema: emailConfirmationSchema,
      examples: {
        link: { summary: "With the link's token", value: { token: "c2VjcmV0LWxpbmstdG9rZW4" } },
        code: {
          summary: "With the emailed code",
          value: { clientId: "f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1", code: "482913" },
        },
      },
    },
    responses: { 200: { description: "The email is confirmed.", schema: emailConfirmedSchema } },
    errors: ["confirmation_code_invalid", "already_confirmed", "confirmation_code_expired", "confirmation_locked"],
  },
  {
    method: "post",
    path: "/api/public/confirm-email/resend",
    operationId: "resendConfirmationEmail",
    flavour: "white-label",
    summary: "Send the confirmation email again",
    description:
      "White-label API. Sends the signed-in client a new confirmation email (a new link and code), after a cooldown and up to a daily cap. No request body.",
    security: { scheme: "bearerAuth", optional: false },
    responses: { 202: { description: "A new email is on its way.", schema: acceptedSchema } },
    errors: [
      "unauthorized",
      "invalid_token",
      "token_expired",
      "account_inactive",
      "partner_suspended",
      "not_found",
      "partner_not_found",
      "already_confirmed",
      "resend_cooldown",
      "resend_limit_reached",
    ],
  },
  {
    method: "post",
    path: "/api/token/refresh",
    operationId: "refreshToken",
    flavour: "white-label",
    summary: "Refresh a token pair",
    description:
      "White-label API. Rotates the refresh token: the answer carries a new pair and the old refresh token stops working. Presenting an already rotated token ends every session of that family (reuse detection).",
    body: {
      schema: refreshRequestSchema,
      examples: { refresh: { summary: "Refresh", value: { refresh_token: "rt_3q2+7w..." } } },
    },
    responses: { 200: { description: "A new token pair.", schema: whiteLabelTokenResponseSchema } },
    errors: ["refresh_token_invalid", "refresh_token_expired", "refresh_token_reused", "account_inactive"],
  },
  {
    method: "get",
    path: "/.well-known/jwks.json",
    operationId: "getJwks",
    flavour: "shared",
    summary: "Public keys for access tokens",
    description:
      "Shared by both flavours. The public keys that verify access tokens (RS256 JWTs; pick the key by the token's `kid`). Old keys stay listed after a rotation until their tokens expire. Cacheable for 5 minutes.",
    responses: { 200: { description: "The key set.", schema: jsonWebKeySetSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/.well-known/oauth-authorization-server",
    operationId: "getAuthorizationServerMetadata",
    flavour: "shared",
    summary: "OAuth 2.0 authorization server metadata (RFC 8414)",
    description:
      'Shared by both flavours. Where the token endpoint and the key set are, and what the token endpoint accepts: the `password` and `refresh_token` grants, public clients only (`token_endpoint_auth_methods_supported: ["none"]`). The `issuer` is the `iss` of every access token. Cacheable for 5 minutes.',
    responses: { 200: { description: "The metadata.", schema: authorizationServerMetadataSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/health",
    operationId: "getHealth",
    flavour: "shared",
    summary: "Health check",
    description:
      "Shared by both flavours; for load balancers and monitoring. 200 when the database answers, 503 (with the same body and `Retry-After`) when it does not.",
    responses: {
      200: { description: "The service and its database are up.", schema: healthSchema },
      503: { description: "The database is unreachable.", schema: healthSchema, retryAfter: true },
    },
    errors: [],
  },
  {
    method: "get",
    path: "/reg/subscription/details/available",
    operationId: "listSubscriptionTiers",
    flavour: "partner",
    summary: "Get subscription tiers",
    description:
      "Partner API. The tiers the client's partner offers now, in the partner's order. Send a tier's `id` as `subscriptionDetailsId` to start a subscription. Amounts are decimal strings in the tier's currency.",
    security: { scheme: "bearerAuth", optional: false },
    responses: { 200: { description: "The partner's active tiers.", schema: tierListSchema } },
    errors: CLIENT_AUTH_ERRORS,
  },
  {
    method: "post",
    path: "/reg/subscription",
    operationId: "startSubscription",
    flavour: "partner",
    summary: "Start a subscription",
    description:
      "Partner API. Starts a subscription (status `INIT`) of one of the client's accounts to a tier and issues its first invoice, due now; `id` in the answer is that invoice. Pay it with `POST /invoice/payment` and `POST /invoice/payment/pay` to make the subscription `ACTIVE` for 30 days. Unpaid after the grace period (7 days unless the operator set otherwise), the subscription is cancelled. The account's currency must be the tier's.",
    security: { scheme: "bearerAuth", optional: false },
    parameters: [idempotencyKeyHeader],
    body: {
      schema: startSubscriptionSchema,
      examples: {
        start: {
          summary: "Subscribe an account to a tier",
          value: { accountId: "0b6f1c7e-5a0e-4d4f-9f7e-2f8f5c1d2a3b", subscriptionDetailsId: 1, anyCurrency: false },
        },
      },
    },
    responses: { 201: { description: "Started; pay the invoice `id`.", schema: subscriptionStartedSchema } },
    errors: [
      ...CLIENT_AUTH_ERRORS,
      "account_not_found",
      "tier_not_found",
      "currency_mismatch",
      "already_subscribed",
      ...IDEMPOTENCY_ERRORS,
    ],
  },
  {
    method: "get",
    path: "/reg/subscription",
    operationId: "listSubscriptions",
    flavour: "partner",
    summary: "The client's subscriptions",
    description:
      "Partner API. Every subscription of the client, oldest first, with its status, current period and any invoice waiting to be paid.",
    security: { scheme: "bearerAuth", optional: false },
    responses: { 200: { description: "The client's subscriptions.", schema: subscriptionListSchema } },
    errors: CLIENT_AUTH_ERRORS,
  },
  {
    method: "post",
    path: "/reg/subscription/{subscriptionId}/cancel",
    operationId: "cancelSubscription",
    flavour: "partner",
    summary: "Cancel a subscription",
    description:
      "Partner API. A paid subscription becomes `DEACTIVATING`: access lasts until `currentPeriodEnd`, then it is `CANCELLED` and nothing more is charged. An unpaid one (`INIT`, or a renewal overdue) is `CANCELLED` at once and its open invoice voided. Cancelling again changes nothing.",
    security: { scheme: "bearerAuth", optional: false },
    parameters: [subscriptionIdPath, idempotencyKeyHeader],
    responses: { 200: { description: "The subscription after the request.", schema: subscriptionViewSchema } },
    errors: [...CLIENT_AUTH_ERRORS, "subscription_not_found", "validation_failed", ...IDEMPOTENCY_ERRORS],
  },
  {
    method: "get",
    path: "/invoice/{invoiceId}",
    operationId: "getInvoice",
    flavour: "partner",
    summary: "Get an invoice",
    description:
      "Partner API. One of the client's invoices: amount, currency, status (`open`, `paid`, `void`), due date, the period a renewal pays for, and its payment once one exists.",
    security: { scheme: "bearerAuth", optional: false },
    parameters: [invoiceIdPath],
    responses: { 200: { description: "The invoice.", schema: invoiceViewSchema } },
    errors: [...CLIENT_AUTH_ERRORS, "invoice_not_found", "validation_failed"],
  },
  {
    method: "post",
    path: "/invoice/payment",
    operationId: "getOrCreatePayment",
    flavour: "partner",
    summary: "Payment get or create",
    description:
      "Partner API. The invoice's one payment, created on the first call (201) and returned as it is afterwards (200). `type` is `PLATFORM`: the payment debits one of the client's accounts, by default the subscription's. Nothing is debited until `POST /invoice/payment/pay`.",
    security: { scheme: "bearerAuth", optional: false },
    parameters: [idempotencyKeyHeader],
    body: {
      schema: paymentRequestSchema,
      examples: {
        platform: {
          summary: "Pay from the subscription's account",
          value: {
            invoiceId: "5d0c3a8e-7b1f-4e52-9a6d-0e4b8f2c1a7d",
            type: "PLATFORM",
            accountId: "0b6f1c7e-5a0e-4d4f-9f7e-2f8f5c1d2a3b",
            currency: "EUR",
          },
        },
      },
    },
    responses: {
      200: { description: "The existing payment.", schema: paymentViewSchema },
      201: { description: "The payment, created now.", schema: paymentViewSchema },
    },
    errors: [
      ...CLIENT_AUTH_ERRORS,
      "invoice_not_found",
      "account_not_found",
      "currency_mismatch",
      "invoice_not_payable",
      "payment_account_conflict",
      ...IDEMPOTENCY_ERRORS,
    ],
  },
  {
    method: "post",
    path: "/invoice/payment/pay",
    operationId: "payInvoice",
    flavour: "partner",
    summary: "Pay invoice",
    description:
      "Partner API. Debits the payment's account through the ledger, marks the invoice paid and activates (or renews) the subscription, in one transaction. Send `invoiceId` or `paymentId`. An invoice is paid at most once: paying a paid invoice answers 200 with `alreadyPaid: true` and debits nothing, however many calls race. With too little money it answers 402 `insufficient_funds` and changes nothing. Send an `Idempotency-Key` to have retries replay the first answer exactly.",
    security: { scheme: "bearerAuth", optional: false },
    parameters: [idempotencyKeyHeader],
    body: {
      schema: payRequestSchema,
      examples: {
        byInvoice: { summary: "Pay by invoice", value: { invoiceId: "5d0c3a8e-7b1f-4e52-9a6d-0e4b8f2c1a7d" } },
        byPayment: { summary: "Pay by payment", value: { paymentId: "9e2d4c6a-1b3f-4a5e-8c7d-6f0a2b4c8e1d" } },
      },
    },
    responses: { 200: { description: "Paid (now or before).", schema: paidSchema } },
    errors: [
      ...CLIENT_AUTH_ERRORS,
      "invoice_not_found",
      "payment_not_found",
      "account_not_found",
      "currency_mismatch",
      "insufficient_funds",
      "invoice_not_payable",
      ...IDEMPOTENCY_ERRORS,
    ],
  },
];
