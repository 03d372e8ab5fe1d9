import { config } from "../env";

type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

// Field names whose values never reach a log line, whatever the caller passes.
const secretKey = /pass(word)?|secret|token|code|key|hash|authorization|cookie|totp/i;

/**
 * An error's message fit for any line a person reads: a failed query's
 * message ends with the statement's parameters (password hashes, code
 * hashes, token hashes, whatever was being written), and those are cut.
 */
export function messageWithoutParams(error: Error): string {
  return error.message.replace(/\nparams: [\s\S]*$/, "\nparams: [redacted]");
}

/**
 * An error as a log line may show it: name, message, database error code and
 * cause. A failed query's message ends with the statement's parameters —
 * password hashes, code hashes, token hashes, whatever was being written — so
 * that part never leaves.
 */
function redactError(error: Error, depth: number): Record<string, unknown> {
  const message = messageWithoutParams(error);
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message,
    ...(typeof code === "string" ? { code } : {}),
    ...(error.cause !== undefined && depth < 4
      ? { cause: error.cause instanceof Error ? redactError(error.cause, depth + 1) : "[redacted]" }
      : {}),
  };
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return redactError(value, depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = secretKey.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>) {
  let threshold: Level | "silent" = "info";
  try {
    threshold = config().LOG_LEVEL;
  } catch {
    // Logging must work even when configuration is invalid (that is often what it reports).
  }
  if (order[level] < order[threshold]) return;
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level,
    msg,
    ...(fields ? (redact(fields) as object) : {}),
  });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
