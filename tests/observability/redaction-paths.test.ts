import pino from "pino";
import { describe, expect, it } from "vitest";
import { REDACTED_PATHS, SECRET_FIELDS, SECRET_HEADERS } from "../../server/log";

/**
 * server/log.ts hides secrets twice: by a key pattern at any depth, and by
 * pino's redaction paths. tests/api/secrets-never-leak.test.ts proves the two
 * together; this proves the paths alone, through pino with nothing else.
 */
describe("pino's redaction paths", () => {
  it("hide every secret field at the top, one and two levels down, and every credential header", () => {
    let out = "";
    const logger = pino(
      { redact: { paths: REDACTED_PATHS, censor: "[redacted]" } },
      { write: (l: string) => void (out += l) },
    );
    const values: string[] = [];
    const v = () => {
      const value = `secret-value-${values.length}-${Math.random().toString(36).slice(2)}`;
      values.push(value);
      return value;
    };
    for (const field of SECRET_FIELDS) {
      logger.info({ [field]: v() }, "top");
      logger.info({ outer: { [field]: v() } }, "one down");
      logger.info({ outer: { inner: { [field]: v() } } }, "two down");
    }
    for (const header of SECRET_HEADERS) {
      logger.info({ headers: { [header]: v(), accept: "text/plain" } }, "headers");
      logger.info({ req: { headers: { [header]: v() } } }, "request headers");
    }
    expect(out.split("\n").filter(Boolean)).toHaveLength(SECRET_FIELDS.length * 3 + SECRET_HEADERS.length * 2);
    for (const value of values) expect(out).not.toContain(value);
    expect(out).toContain("text/plain");
  });
});
