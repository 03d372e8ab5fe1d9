import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { endpoints } from "../../server/openapi/paths";
import { createTestPartner, useApi } from "../support/api";
import { registerSubscriber, sandboxPartnerWithTier } from "../support/billing";
import { fingerprint } from "../support/fingerprint";
import { failOnUnhandledRejections } from "../support/unhandled-rejections";

/**
 * Property: whatever arrives — any JSON, wrong types, huge or empty values,
 * unicode edge cases, prototype-pollution keys, odd headers and path values —
 * every documented public endpoint answers with a JSON body and a status below
 * 500, and an error names its code and request id. Bodies start from each
 * endpoint's documented examples, with fields replaced or added at random, so
 * requests get past the first checks and reach the services too.
 *
 * A refused request (4xx) changes nothing: every row of the fuzz's two
 * partners, their clients, accounts, invoices and keys is fingerprinted before
 * and compared after it. Only the traces a refusal is meant to leave are
 * allowed (a security event in the audit log, a wrong code counted, a revoked
 * key's use noted). An unhandled rejection anywhere in the run fails it.
 */

const api = useApi();
failOnUnhandledRejections();

const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\u0000abc",
    "null",
    "undefined",
    "NaN",
    "-1",
    "0",
    "1e400",
    "9".repeat(40),
    "'; drop table clients; --",
    "<script>alert(1)</script>",
    "\ud800",
    "💸",
    "a".repeat(5000),
    "00000000-0000-0000-0000-000000000000",
    "__proto__",
  ),
);
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 2 ** 31, true, false, null),
  fc.array(weirdString, { maxLength: 3 }),
  fc.dictionary(weirdString, weirdString, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A documented example with some fields replaced, removed or added (prototype-pollution keys among them). */
function bodyFrom(examples: unknown[]): fc.Arbitrary<unknown> {
  const mutated = fc
    .tuple(
      fc.constantFrom(...(examples.length > 0 ? examples : [{}])),
      fc.array(
        fc.tuple(
          fc.oneof(weirdString, fc.constantFrom("__proto__", "constructor", "prototype")),
          weirdValue,
          fc.boolean(),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([example, changes]) => {
      const body: Record<string, unknown> =
        typeof example === "object" && example !== null ? JSON.parse(JSON.stringify(example)) : {};
      const keys = Object.keys(body);
      for (const [name, value, replaceExisting] of changes) {
        const key = replaceExisting && keys.length > 0 ? keys[name.length % keys.length]! : name;
        if (value === undefined) delete body[key];
        else Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
      }
      return body;
    });
  return fc.oneof(
    { weight: 4, arbitrary: mutated },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom("{", "[1,", "not json", "", '{"a":1}}') },
  );
}

describe("fuzzing every public endpoint", async () => {
  // Real credentials, so fuzzed requests also reach the code behind authentication.
  const { partner, tierId } = await sandboxPartnerWithTier();
  const other = await createTestPartner();
  const scope = { partnerIds: [partner.id, other.id], allowRefusalTraces: true };
  let client: Awaited<ReturnType<typeof registerSubscriber>>;

  it.each(endpoints.map((e) => [e.method.toUpperCase(), e.path, e] as const))(
    "%s %s never answers 5xx or a non-JSON body",
    async (method, path, endpoint) => {
      client ??= await registerSubscriber(api, partner.id);
      const examples = Object.values(endpoint.body?.examples ?? {}).map((x) => x.value);
      // A lone surrogate cannot be put in a URL at all (encodeURIComponent throws): no client can send one.
      // Nor can a segment be "." or "..": URL parsing removes such segments (and their %2E spellings) before a request leaves.
      const pathValue = fc.oneof(
        weirdString.filter((s) => s.length > 0 && !s.includes("/") && s.isWellFormed() && s !== "." && s !== ".."),
        fc.uuid(),
        fc.constant(String(tierId)),
      );
      const auth = fc.constantFrom<Record<string, string>>(
        {},
        { authorization: `Bearer ${client.token}` },
        { authorization: `Bearer ${partner.masterKey}` },
        { authorization: `Bearer ${other.masterKey}` },
        { authorization: "Bearer x.y.z" },
        { authorization: "Basic Zm9vOmJhcg==" },
      );
      const extraHeaders = fc.record(
        {
          partnerId: fc.oneof(
            fc.constant(String(partner.id)),
            fc.constant(String(other.id)),
            weirdString.map((s) => s.replace(/[^\x20-\x7e]/g, "x")),
          ),
          "idempotency-key": weirdString.map((s) => s.replace(/[^\x20-\x7e]/g, "x")),
          "device-type": weirdString.map((s) => s.replace(/[^\x20-\x7e]/g, "x")),
          "content-type": fc.constantFrom(
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=utf-8",
          ),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(
          bodyFrom(examples),
          auth,
          extraHeaders,
          fc.array(pathValue, { minLength: 2, maxLength: 2 }),
          async (body, authHeaders, headers, [p1, p2]) => {
            let i = 0;
            const url = path.replace(/\{[^}]+\}/g, () => encodeURIComponent([p1, p2][i++] ?? "x"));
            const payload = method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body);
            const before = await fingerprint(scope);
            const res = await api.call(method, url, payload, {
              "content-type": "application/json",
              ...authHeaders,
              ...headers,
            });
            expect(
              res.status,
              `${method} ${url} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`,
            ).toBeLessThan(500);
            expect(res.headers.get("content-type") ?? "").toMatch(/json/);
            if (res.status >= 400) {
              // The token endpoint answers in RFC 6749 §5.2's shape, with the request id in its header.
              if (path === "/oauth/token")
                expect(res.body).toEqual({ error: expect.any(String), error_description: expect.any(String) });
              else expect(res.body.error).toMatchObject({ code: expect.any(String), requestId: expect.any(String) });
              expect(
                await fingerprint(scope),
                `${method} ${url} was refused with ${res.status} ${JSON.stringify(res.body.error)} but changed the database`,
              ).toEqual(before);
            }
          },
        ),
        { numRuns: 100 },
      );
    },
  );
});
