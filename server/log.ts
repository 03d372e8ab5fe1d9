import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import path from "node:path";
import pino, { type DestinationStream, type Logger } from "pino";
import { config, type Config } from "../env";

/**
 * The one logger: pino, one JSON object a line — `time` (ISO), `level` (its
 * name), `msg`, then the fields. debug and info go to stdout, warn and error
 * to stderr (a supervisor that keeps only stderr still has the failures).
 * `LOG_FORMAT=pretty` prints coloured lines for people instead, through
 * pino-pretty, a development dependency loaded only when asked for.
 *
 * Secrets never reach a line, twice over: every field whose name looks like
 * a secret is replaced at any depth (the key pattern below), and pino's own
 * redaction covers the named paths (REDACTED_PATHS), headers included.
 */

type Level = "debug" | "info" | "warn" | "error";
type Fields = Record<string, unknown>;

// Field names whose values never reach a log line, whatever the caller passes.
const secretKey = /pass(word)?|secret|token|code|key|hash|authorization|cookie|totp/i;

/** The field names pino redacts by path, at the top level and one and two levels down. */
export const SECRET_FIELDS = [
  "password",
  "newPassword",
  "currentPassword",
  "temporaryPassword",
  "passwordHash",
  "code",
  "emailConfirmCode",
  "codeHash",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "idToken",
  "authorization",
  "cookie",
  "set-cookie",
  "secret",
  "clientSecret",
  "masterKey",
  "apiKey",
  "keyHash",
  "tokenHash",
  "totp",
  "totpSecret",
  "totpCode",
  "privateKey",
] as const;

/** Request or response headers that carry credentials, redacted under any `headers` field. */
export const SECRET_HEADERS = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "captcha-token",
  "proxy-authorization",
] as const;

/** pino's redaction paths. Bracket notation, so names with a dash are paths too. */
export const REDACTED_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [`["${f}"]`, `*["${f}"]`, `*.*["${f}"]`]),
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]),
];
/** The paths a line of flat values can hold (see Loggers). */
const TOP_LEVEL_PATHS = SECRET_FIELDS.map((f) => `["${f}"]`);

const REDACTED = "[redacted]";

/**
 * An error's message fit for any line a person reads: a failed query's
 * message ends with the statement's parameters (password hashes, code
 * hashes, token hashes, whatever was being written), and those are cut.
 */
export function messageWithoutParams(error: Error): string {
  return error.message.replace(/\nparams: [\s\S]*$/, "\nparams: [redacted]");
}

/**
 * An error as a log line may show it: type, message, database or system
 * error code and cause; the stack outside production only (a request's
 * failure in production is found by its request id, and a stack there shows
 * nobody anything they need). A failed query's message ends with the
 * statement's parameters — password hashes, code hashes, token hashes,
 * whatever was being written — so that part never leaves.
 */
function serializeError(error: Error, depth: number, withStack: boolean): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: messageWithoutParams(error),
    ...(typeof code === "string" ? { code } : {}),
    ...(withStack && error.stack
      ? { stack: error.stack.replace(error.message, messageWithoutParams(error)).replace(/\nparams: [^\n]*/g, "") }
      : {}),
    ...(error.cause !== undefined && depth < 4
      ? {
          cause: error.cause instanceof Error ? serializeError(error.cause, depth + 1, withStack) : REDACTED,
        }
      : {}),
  };
}

function redact(value: unknown, withStack: boolean, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return serializeError(value, 0, withStack);
  if (Array.isArray(value)) return value.map((v) => redact(v, withStack, depth + 1));
  const out: Fields = {};
  for (const [k, v] of Object.entries(value)) out[k] = secretKey.test(k) ? REDACTED : redact(v, withStack, depth + 1);
  return out;
}

/** The fields of a line: an error under `error` or `err` is written as `err`; every secret-looking key is masked. */
function prepare(fields: Fields, withStack: boolean): Fields {
  const { error, err, ...rest } = fields;
  const out = redact(rest, withStack) as Fields;
  const failure = err ?? error;
  if (failure instanceof Error) {
    // Written as it is: serializeError keeps only type, message (without parameters), code, stack and
    // cause. Behind toJSON, so the redaction paths do not take the error's own code (22P02, ECONNREFUSED:
    // what an operator needs) for a secret `code` field.
    const serialized = serializeError(failure, 0, withStack);
    out.err = { toJSON: () => serialized };
  } else if (failure !== undefined) out.err = redact(failure, withStack);
  return out;
}

// Fields every line written inside withLogFields carries: the request id of the request being
// served, the job of the run in progress. Kept on globalThis like the logger, so that two
// evaluations of this module (Next.js may make them) share one context.
const contextKey = Symbol.for("gatehouse.log.context");
const loggerKey = Symbol.for("gatehouse.log.logger");
type Holder = {
  [contextKey]?: AsyncLocalStorage<Fields>;
  [loggerKey]?: { full: Logger; flat: Logger; config: Config | undefined; production: boolean };
};
const holder = globalThis as Holder;
const context = (holder[contextKey] ??= new AsyncLocalStorage<Fields>());

/**
 * Runs fn with these fields on every line it logs. Nested calls add theirs,
 * unless `alone` (a job's run, which may have been woken from a request and
 * must not carry that request's id).
 */
export function withLogFields<T>(fields: Fields, fn: () => T, o: { alone?: boolean } = {}): T {
  const outer = o.alone ? undefined : context.getStore();
  return context.run(outer ? { ...outer, ...fields } : fields, fn);
}

function currentConfig(): Config | undefined {
  try {
    return config();
  } catch {
    // Logging must work even when configuration is invalid (that is often what it reports).
    return undefined;
  }
}

// Through process.stdout/stderr's current write, looked up at each line, so a test that
// replaces it sees every line.
const toStdout: DestinationStream = { write: (line) => void process.stdout.write(line) };
const toStderr: DestinationStream = { write: (line) => void process.stderr.write(line) };

function prettyStream(): DestinationStream | undefined {
  try {
    // Resolved at run time from the app's own node_modules, so no bundle carries it.
    const require = createRequire(path.join(process.cwd(), "package.json"));
    const pretty = require("pino-pretty") as (o: object) => DestinationStream;
    return pretty({ destination: 1, sync: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
  } catch {
    return undefined;
  }
}

/**
 * Two pino instances on one stream, differing only in their redaction paths.
 * A path with a wildcard costs about a microsecond a line in pino, and the
 * full set about 90 µs, on every line: most lines (the request lines among
 * them) hold only flat values, where a nested path can match nothing, so they
 * go through `flat` (the top-level paths); a line with any object in it
 * through `full`.
 */
interface Loggers {
  full: Logger;
  flat: Logger;
}

function build(c: Config | undefined): Loggers {
  let stream: DestinationStream = pino.multistream(
    [
      { level: "debug", stream: toStdout },
      { level: "warn", stream: toStderr },
    ],
    { dedupe: true },
  );
  let prettyMissing = false;
  if (c?.LOG_FORMAT === "pretty") {
    const pretty = prettyStream();
    if (pretty) stream = pretty;
    else prettyMissing = true;
  }
  const options = (paths: string[]) => ({
    level: c?.LOG_LEVEL ?? "info",
    base: undefined,
    messageKey: "msg",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: () => {
      const fields = context.getStore();
      return fields ? (redact(fields, false) as Fields) : {};
    },
    // The error is serialised already (prepare), not by pino's serializer.
    serializers: { err: (value: unknown) => value },
    redact: { paths, censor: REDACTED },
  });
  const loggers = { full: pino(options(REDACTED_PATHS), stream), flat: pino(options(TOP_LEVEL_PATHS), stream) };
  if (prettyMissing)
    loggers.flat.warn("LOG_FORMAT=pretty needs pino-pretty (a development dependency); writing JSON lines");
  return loggers;
}

function loggers(): Loggers & { production: boolean } {
  const c = currentConfig();
  let current = holder[loggerKey];
  if (!current || (c !== undefined && current.config !== c)) {
    // A new configuration (tests reset it) takes its level; the format is chosen once.
    if (current && c) {
      current.full.level = c.LOG_LEVEL;
      current.flat.level = c.LOG_LEVEL;
      current.config = c;
      current.production = c.isProduction;
    } else {
      current = { ...build(c), config: c, production: c?.isProduction ?? false };
      holder[loggerKey] = current;
    }
  }
  return current;
}

const hasObject = (fields: Fields | undefined) =>
  fields !== undefined && Object.values(fields).some((v) => typeof v === "object" && v !== null);

function write(level: Level, msg: string, fields?: Fields) {
  const { full, flat, production } = loggers();
  if (!flat.isLevelEnabled(level)) return;
  const prepared = fields ? prepare(fields, !production) : undefined;
  const l = hasObject(prepared) || hasObject(context.getStore()) ? full : flat;
  if (prepared) l[level](prepared, msg);
  else l[level](msg);
}

export interface Log {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger whose every line carries these fields as well (a job's name, say). */
  child(fields: Fields): Log;
}

function logWith(bound: Fields | undefined): Log {
  const at = (level: Level) => (msg: string, fields?: Fields) =>
    write(level, msg, bound ? { ...bound, ...fields } : fields);
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (fields) => logWith({ ...bound, ...fields }),
  };
}

export const log: Log = logWith(undefined);
