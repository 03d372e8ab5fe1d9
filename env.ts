import { createHmac } from "node:crypto";
import { z } from "zod";

/**
 * The one place that reads process.env. Parsed lazily on first use so that
 * `next build` can import modules without a configured environment.
 */

// Labelled development-only values. Production mode refuses every one of them.
export const DEVELOPMENT_AUTH_SECRET = "development-only-insecure-auth-secret-change-me";
/** Signs the sandbox KYC provider's webhooks in development when SUMSUB_WEBHOOK_SECRET is unset. */
export const DEVELOPMENT_SUMSUB_WEBHOOK_SECRET = "development-only-insecure-sumsub-webhook-secret";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

const optionalInt = (min: number, max: number) =>
  optionalString.pipe(
    z.union([
      z.undefined(),
      z
        .string()
        .regex(/^-?\d+$/, "must be a whole number")
        .transform(Number)
        .pipe(z.number().int().min(min).max(max)),
    ]),
  );

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  GATEHOUSE_DATA_DIR: z.string().default(".data"),
  PORT: optionalInt(1, 65535).transform((v) => v ?? 3000),
  SMTP_URL: optionalString,
  MAIL_FROM: z.string().default("Gatehouse <no-reply@gatehouse.localhost>"),
  AUTH_SECRET: optionalString,
  APP_URL: optionalString.pipe(z.url().optional()),
  DEFAULT_PARTNER_ID: optionalInt(1, 2147483647),
  /** PEM-encoded RSA private keys (PKCS#8), separated by blank lines; the first signs. */
  JWT_PRIVATE_KEYS: optionalString,
  /** How many proxies in front of the app append to X-Forwarded-For. */
  TRUSTED_PROXY_COUNT: optionalInt(0, 10).transform((v) => v ?? 0),
  ARGON2_MAX_CONCURRENCY: optionalInt(1, 64),
  ARGON2_MAX_QUEUE: optionalInt(0, 10000).transform((v) => v ?? 200),
  BODY_LIMIT_BYTES: optionalInt(1024, 10 * 1024 * 1024).transform((v) => v ?? 64 * 1024),
  DATABASE_POOL_SIZE: optionalInt(1, 200).transform((v) => v ?? 10),
  OUTBOX_WORKER: z.enum(["on", "off"]).default("on"),
  /** Whether this instance delivers webhooks (every instance may: claims keep them apart). */
  WEBHOOK_WORKER: z.enum(["on", "off"]).default("on"),
  /** Whether this instance imports clients from started import jobs (every instance may: claims keep them apart). */
  IMPORT_WORKER: z.enum(["on", "off"]).default("on"),
  /** Whether this instance runs background bulk actions on clients (every instance may: claims keep them apart). */
  BULK_WORKER: z.enum(["on", "off"]).default("on"),
  /** 1 lets webhooks go to http and to private or loopback addresses: development and tests only. */
  WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(["0", "1"]).default("0"),
  SUMSUB_BASE_URL: z.url().default("https://api.sumsub.com"),
  SUMSUB_APP_TOKEN: optionalString,
  SUMSUB_SECRET_KEY: optionalString,
  SUMSUB_LEVEL_NAME: z.string().default("basic-kyc-level"),
  SUMSUB_WEBHOOK_SECRET: optionalString,
  /** Days an unpaid invoice stays payable before its subscription is cancelled. */
  BILLING_GRACE_DAYS: optionalInt(0, 90).transform((v) => v ?? 7),
  /** How often the billing scheduler looks for renewals and lapses, in seconds. */
  BILLING_INTERVAL_SECONDS: optionalInt(5, 86_400).transform((v) => v ?? 60),
  BILLING_SCHEDULER: z.enum(["on", "off"]).default("on"),
  /** How often the Overview funnel's daily rollup is recomputed, in seconds; 0 = never (the funnel is then counted live). */
  FUNNEL_ROLLUP_SECONDS: optionalInt(0, 3600).transform((v) => v ?? 60),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** json: one JSON object a line (what log collectors read); pretty: coloured lines for people (pino-pretty, a development dependency). */
  LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
  /** Set: GET /metrics answers only with `Authorization: Bearer <token>`. Unset: served to whoever reaches it (keep it behind the network). */
  METRICS_TOKEN: optionalString,
});

export type Config = Omit<z.infer<typeof schema>, "APP_URL"> & {
  /** Public base URL without a trailing slash; defaults to http://localhost:PORT. */
  APP_URL: string;
  authSecret: string;
  /** Whether live (non-sandbox) partners can verify identities: Sumsub credentials are set. Sandbox partners always use the built-in sandbox. */
  sumsubConfigured: boolean;
  /** The secret of X-Payload-Digest on incoming KYC webhooks. */
  sumsubWebhookSecret: string;
  isProduction: boolean;
  embedded: boolean;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

let cached: Config | undefined;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const c = parsed.data;
  const isProduction = c.NODE_ENV === "production";
  const embedded = c.DATABASE_URL === undefined;
  if (isProduction) {
    const refused: string[] = [];
    if (!c.AUTH_SECRET || c.AUTH_SECRET === DEVELOPMENT_AUTH_SECRET || c.AUTH_SECRET.length < 32) {
      refused.push("AUTH_SECRET must be set to a random value of at least 32 characters in production");
    }
    if (!embedded && !c.JWT_PRIVATE_KEYS) {
      refused.push("JWT_PRIVATE_KEYS must be set in production with DATABASE_URL (see docs/deployment.md)");
    }
    if (!embedded && !c.APP_URL) {
      refused.push(
        "APP_URL must be set in production with DATABASE_URL: it is the address in emailed links, the issuer of tokens, and whether cookies are Secure",
      );
    }
    if (c.SUMSUB_APP_TOKEN && !c.SUMSUB_SECRET_KEY) refused.push("SUMSUB_SECRET_KEY is required with SUMSUB_APP_TOKEN");
    if (c.SUMSUB_APP_TOKEN && !c.SUMSUB_WEBHOOK_SECRET)
      refused.push(
        "SUMSUB_WEBHOOK_SECRET is required with SUMSUB_APP_TOKEN (the secret of the webhook in Sumsub's dashboard)",
      );
    if (c.SUMSUB_WEBHOOK_SECRET === DEVELOPMENT_SUMSUB_WEBHOOK_SECRET)
      refused.push("SUMSUB_WEBHOOK_SECRET must not be the development default in production");
    if (refused.length > 0) throw new ConfigError(`Refusing to start:\n  ${refused.join("\n  ")}`);
  }
  const authSecret = c.AUTH_SECRET ?? DEVELOPMENT_AUTH_SECRET;
  return {
    ...c,
    APP_URL: (c.APP_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ""),
    authSecret,
    sumsubConfigured: Boolean(c.SUMSUB_APP_TOKEN),
    // A production instance running the sandbox (a staging deploy) signs its own webhooks with a key derived from AUTH_SECRET.
    sumsubWebhookSecret:
      c.SUMSUB_WEBHOOK_SECRET ??
      (isProduction
        ? createHmac("sha256", authSecret).update("gatehouse/sandbox-kyc-webhook").digest("hex")
        : DEVELOPMENT_SUMSUB_WEBHOOK_SECRET),
    isProduction,
    embedded,
  };
}

export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** For tests that need a different environment. */
export function resetConfigForTests(): void {
  cached = undefined;
}
