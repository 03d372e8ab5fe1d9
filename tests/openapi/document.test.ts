import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { config } from "../../env";
import { buildOpenApiDocument, type JsonSchema } from "../../server/openapi/document";
import { endpoints } from "../../server/openapi/paths";

const root = path.resolve(import.meta.dirname, "../..");
const appDir = path.join(root, "app");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

// Not part of the public REST API: next-auth, the back office's tRPC and its staff-only
// downloads (signed-in staff, cookie session), and the document itself.
const EXCLUDED = [
  /^\/api\/auth(\/|$)/,
  /^\/api\/trpc(\/|$)/,
  /^\/api\/openapi\.json$/,
  /^\/api\/clients\/export$/,
  /^\/api\/audit\/export$/,
  // Back-office uploads and downloads (a staff session, not the public API), and the scrape endpoint.
  /^\/api\/imports(\/|$)/,
  /^\/metrics$/,
  /\{unknown\}$/,
];

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return /^route\.(ts|tsx|js)$/.test(entry.name) ? [full] : [];
  });
}

/** app/reg/[id]/route.ts → /reg/{id}; route groups and parallel-route slots are not part of the URL. */
function urlPathOf(file: string): string {
  const segments = path
    .relative(appDir, path.dirname(file))
    .split(path.sep)
    .filter((s) => s !== "" && !/^\(.*\)$/.test(s) && !s.startsWith("@"))
    .map((s) => s.replace(/^\[{1,2}(?:\.\.\.)?([^\]]+)\]{1,2}$/, "{$1}"));
  return `/${segments.join("/")}`;
}

function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|let|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g))
    found.add(m[1]!);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const name of m[1]!.split(",").map((part) =>
      part
        .trim()
        .split(/\s+as\s+/)
        .pop()!
        .trim(),
    )) {
      if ((METHODS as readonly string[]).includes(name)) found.add(name);
    }
  }
  return [...found];
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>(
      (node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
      doc,
    );
}

function collectRefs(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") into.push(value);
      else collectRefs(value, into);
    }
  }
  return into;
}

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument();

  it("is OpenAPI 3.1.0 for this instance", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("Gatehouse API");
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.servers[0]?.url).toBe(config().APP_URL.replace(/\/+$/, ""));
    expect(doc.components.securitySchemes).toHaveProperty("masterKey");
    expect(doc.components.securitySchemes).toHaveProperty("bearerAuth");
  });

  it("documents every method of every REST route handler under app/", () => {
    const handlers = routeFiles(appDir)
      .map((file) => ({ file, urlPath: urlPathOf(file) }))
      .filter(({ urlPath }) => !EXCLUDED.some((pattern) => pattern.test(urlPath)))
      .flatMap(({ file, urlPath }) =>
        exportedMethods(readFileSync(file, "utf8")).map((method) => `${method} ${urlPath}`),
      );

    expect(handlers).toContain("POST /api/public/register");
    const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const missing = handlers.filter((h) => !documented.includes(h));
    expect(missing, "route handlers without an entry in server/openapi/paths.ts").toEqual([]);
    // And nothing documented that no handler serves.
    expect(documented.filter((d) => !handlers.includes(d))).toEqual([]);
  });

  it("describes each operation with its flavour, its errors in the shared Error schema and success bodies", () => {
    const operationIds = new Set<string>();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        expect(operationIds.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
        operationIds.add(op.operationId);
        expect(op.summary.length, p).toBeGreaterThan(0);
        expect(op.description, p).toMatch(/^(Partner API|White-label API|Shared by both flavours)/);
        const statuses = Object.keys(op.responses).map(Number);
        expect(
          statuses.some((s) => s >= 200 && s < 300),
          p,
        ).toBe(true);
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.["application/json"].schema;
          expect(schema, `${p} ${status}`).toBeDefined();
          // The OAuth token endpoint answers in RFC 6749 §5.2's shape, the rest in the API's.
          if (Number(status) >= 400 && !(p === "/api/health" && status === "503"))
            expect(schema).toEqual({ $ref: `#/components/schemas/${p === "/oauth/token" ? "OAuthError" : "Error"}` });
        }
      }
    }
  });

  it("gives POST /api/public/register the white-label registration body, master key and realistic errors", () => {
    const op = doc.paths["/api/public/register"]?.post;
    expect(op).toBeDefined();
    const bodyRef = op!.requestBody!.content["application/json"].schema.$ref as string;
    const body = resolvePointer(doc, bodyRef) as JsonSchema;
    expect(body.required).toEqual(
      expect.arrayContaining([
        "firstName",
        "lastName",
        "email",
        "countryCode",
        "password",
        "referralCode",
        "agreed",
        "birthDate",
      ]),
    );
    expect(body.required).not.toContain("verificationLevel");
    const properties = body.properties as Record<string, JsonSchema>;
    // A number from 0 to 5, or the same as a string (the source document types it String).
    expect(properties.verificationLevel!.anyOf).toEqual([
      expect.objectContaining({ type: "integer", minimum: 0, maximum: 5 }),
      { type: "string", pattern: "^[0-5]$" },
    ]);
    expect(properties.agreed).toMatchObject({ const: true });
    expect(op!.security).toEqual([{}, { masterKey: [] }]);
    expect(op!.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(["partnerId", "Captcha-token", "Device-type"]),
    );
    expect(Object.keys(op!.responses)).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "404", "409", "413", "415", "422", "429", "503"]),
    );
    expect(op!.responses["429"]?.headers).toHaveProperty("Retry-After");
  });

  it("gives POST /oauth/token both encodings and RFC 6749 errors, 401 for invalid_client", () => {
    const op = doc.paths["/oauth/token"]?.post;
    expect(Object.keys(op!.requestBody!.content).sort()).toEqual([
      "application/json",
      "application/x-www-form-urlencoded",
    ]);
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "429", "500", "503"]));
    expect(Object.keys(op!.responses["400"]!.content!["application/json"].examples!).sort()).toEqual([
      "invalid_grant",
      "invalid_request",
      "invalid_scope",
      "unauthorized_client",
      "unsupported_grant_type",
    ]);
    expect(Object.keys(op!.responses["401"]!.content!["application/json"].examples!)).toEqual(["invalid_client"]);
    expect(op!.responses["429"]?.headers).toHaveProperty("Retry-After");
    const error = resolvePointer(doc, "#/components/schemas/OAuthError") as JsonSchema;
    expect(error.required).toEqual(["error", "error_description"]);
  });

  it("documents the password reset of both flavours with examples", () => {
    for (const path of [
      "/reg/password/forgot",
      "/reg/password/reset",
      "/api/public/password/forgot",
      "/api/public/password/reset",
    ]) {
      const op = doc.paths[path]?.post;
      expect(op, path).toBeDefined();
      expect(Object.keys(op!.requestBody!.content["application/json"].examples ?? {}).length, path).toBeGreaterThan(0);
      if (path.endsWith("reset"))
        expect(Object.keys(op!.responses), path).toEqual(
          expect.arrayContaining(["200", "400", "410", "422", "423", "429"]),
        );
      else expect(Object.keys(op!.responses), path).toEqual(expect.arrayContaining(["202", "429"]));
    }
  });

  it("lets a client omit fields that have defaults (request schemas are the input side)", () => {
    const body = resolvePointer(doc, "#/components/schemas/PartnerRegistrationRequest") as JsonSchema;
    expect(body.required).toEqual(["email", "password"]);
    expect((body.properties as Record<string, JsonSchema>).userType).toMatchObject({ default: "CUSTOMER" });
  });

  it("resolves every $ref", () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(10);
    const broken = refs.filter((ref) => resolvePointer(doc, ref) === undefined);
    expect(broken).toEqual([]);
  });

  it("keeps components free of root-only JSON Schema keywords", () => {
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(schema, name).not.toHaveProperty("$id");
      expect(schema, name).not.toHaveProperty("$schema");
    }
  });

  it("has request examples that the handlers' own schemas accept", () => {
    for (const e of endpoints) {
      for (const [name, example] of Object.entries(e.body?.examples ?? {})) {
        const parsed = e.body!.schema.safeParse(example.value);
        expect(parsed.success, `${e.method.toUpperCase()} ${e.path} example "${name}": ${parsed.error?.message}`).toBe(
          true,
        );
      }
    }
  });

  it("serialises to JSON without loss", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
