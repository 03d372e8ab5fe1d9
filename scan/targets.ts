import { endpoints, type Endpoint } from "../server/openapi/paths";
import type { Fixtures } from "./instance";

/**
 * What sqlmap attacks. The public API's targets come from the same endpoint
 * list as the OpenAPI document (server/openapi/paths.ts), with its examples
 * as the requests, so a new endpoint is scanned, or must be skipped here with
 * a reason, or the scan fails. The back office's are a chosen set of tRPC
 * procedures: every query with free text or an opaque cursor that reaches
 * SQL, and mutations that write text, called as the browser calls them.
 *
 * `*` marks an injection point in a URL or header; a JSON body without one
 * has each of its values tested.
 */

export interface SqlmapTarget {
  name: string;
  method: "GET" | "POST";
  url: string;
  /** A JSON body, or a form-encoded one where the headers say so. */
  data?: string;
  headers: Record<string, string>;
  /**
   * sqlmap passes over parameters whose names contain "token", "csrf" or
   * "xsrf" (it takes them for anti-CSRF tokens) unless they are named here.
   */
  testParameters?: string[];
  /** The sign-in endpoints count failures per IP: each attempt gets its own X-Forwarded-For so the scan tests the code behind the limit. */
  spreadIps?: boolean;
}

export interface Skipped {
  name: string;
  reason: string;
}

/** Endpoints whose only input is checked elsewhere, and why. */
const NOTHING_TO_INJECT: Record<string, string> = {
  "GET /.well-known/jwks.json": "takes no input",
  "GET /.well-known/oauth-authorization-server": "takes no input",
  "GET /api/health": "takes no input",
};

const json = { "content-type": "application/json" };

const TOKEN_LIKE = /csrf|xsrf|token/i;

/** For a body with a token-like key: every top-level key, so sqlmap tests them all. */
function bodyParameters(data: string): { testParameters?: string[] } {
  const keys = Object.keys(JSON.parse(data) as Record<string, unknown>);
  return keys.some((k) => TOKEN_LIKE.test(k)) ? { testParameters: keys } : {};
}

/** The examples' made-up ids and credentials, replaced by ones that exist so requests get past the lookups. */
function realValues(value: unknown, f: Fixtures, flavour: Endpoint["flavour"]): unknown {
  if (Array.isArray(value)) return value.map((v) => realValues(v, f, flavour));
  if (value === null || typeof value !== "object") return value;
  const client = flavour === "white-label" ? f.whiteLabel : f.client;
  const replacements: Record<string, unknown> = {
    accountId: f.client.accountId,
    invoiceId: f.client.invoiceId,
    subscriptionDetailsId: f.tierId,
    externalUserId: f.client.id,
    clientId: f.whiteLabel.id,
    // An address that already has an account: every request answers alike (409 or the same 202) instead of the first creating it.
    email: client.email,
    username: client.email,
    password: client.password,
  };
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k in replacements && typeof v !== "object" ? replacements[k] : realValues(v, f, flavour),
    ]),
  );
}

function bearerOf(e: Endpoint, f: Fixtures): string {
  return `Bearer ${e.flavour === "white-label" ? f.whiteLabel.token : f.client.accessToken}`;
}

export function publicApiTargets(f: Fixtures): { targets: SqlmapTarget[]; skipped: Skipped[] } {
  const targets: SqlmapTarget[] = [];
  const skipped: Skipped[] = [];
  const testedSchemes = new Set<string>();
  for (const e of endpoints) {
    const method = e.method.toUpperCase() as "GET" | "POST";
    const id = `${method} ${e.path}`;
    const signIn = e.operationId === "issueToken" || e.operationId === "authenticate";
    const baseHeaders: Record<string, string> = {};
    if (e.parameters?.some((p) => p.in === "header" && p.name === "partnerId"))
      baseHeaders.partnerId = String(f.partnerId);
    if (e.security && !e.security.optional) baseHeaders.Authorization = bearerOf(e, f);
    if (e.operationId === "sumsubWebhook")
      Object.assign(baseHeaders, { "X-Payload-Digest": "0".repeat(64), "X-Payload-Digest-Alg": "HMAC_SHA256_HEX" });
    const pathValues: Record<string, string> = {
      invoiceId: f.client.invoiceId,
      subscriptionId: f.client.subscriptionId,
    };
    const concretePath = e.path.replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name] ?? "0");
    const before = targets.length;

    for (const [key, example] of Object.entries(e.body?.examples ?? {})) {
      const headers: Record<string, string> = { ...baseHeaders, ...json };
      for (const [name, value] of Object.entries(example.headers ?? {})) {
        if (value === null) delete headers[name];
        else headers[name] = value.replace("$MASTER_KEY", f.masterKey);
      }
      const data = JSON.stringify(realValues(example.value, f, e.flavour));
      targets.push({
        name: `${id} body (${key})`,
        method,
        url: f.base + concretePath,
        data,
        headers,
        spreadIps: signIn,
        ...bodyParameters(data),
      });
    }
    // The OAuth token endpoint reads form-encoded parameters with a parser of its own: its first example that way too.
    if (e.body?.formEncoded) {
      const [key, example] = Object.entries(e.body.examples)[0]!;
      const values = realValues(example.value, f, e.flavour) as Record<string, unknown>;
      const data = new URLSearchParams(Object.entries(values).map(([k, v]) => [k, String(v)])).toString();
      targets.push({
        name: `${id} form body (${key})`,
        method,
        url: f.base + concretePath,
        data,
        headers: { ...baseHeaders, "content-type": "application/x-www-form-urlencoded" },
        spreadIps: signIn,
        testParameters: Object.keys(values),
      });
    }
    for (const p of e.parameters ?? []) {
      if (p.in === "path") {
        const url =
          f.base +
          e.path
            .replace(`{${p.name}}`, `${pathValues[p.name]}*`)
            .replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name] ?? "0");
        targets.push({
          name: `${id} path ${p.name}`,
          method,
          url,
          headers: { ...baseHeaders },
          ...(e.body ? { data: "{}" } : {}),
        });
      } else if (p.in === "query") {
        targets.push({
          name: `${id} query ${p.name}`,
          method,
          url: `${f.base}${concretePath}?${p.name}=${encodeURIComponent(String(p.name === "partnerId" ? f.partnerId : p.example))}`,
          headers: { ...baseHeaders },
        });
      } else {
        const value = p.name === "partnerId" ? String(f.partnerId) : (baseHeaders[p.name] ?? String(p.example));
        const body = e.body
          ? JSON.stringify(realValues(Object.values(e.body.examples)[0]!.value, f, e.flavour))
          : undefined;
        targets.push({
          name: `${id} header ${p.name}`,
          method,
          url: f.base + concretePath,
          headers: { ...baseHeaders, ...(body ? json : {}), [p.name]: `${value}*` },
          ...(body ? { data: body } : {}),
          spreadIps: signIn,
          // sqlmap names a marked header "<name> #1*".
          ...(TOKEN_LIKE.test(p.name) ? { testParameters: [`${p.name} #1*`] } : {}),
        });
      }
    }
    // The credentials themselves, once per kind: every endpoint of a kind checks them with the same code.
    if (e.security) {
      const scheme = e.security.scheme;
      if (!testedSchemes.has(scheme)) {
        testedSchemes.add(scheme);
        const credential = scheme === "masterKey" ? `Bearer ${f.masterKey}` : bearerOf(e, f);
        const body = e.body
          ? JSON.stringify(realValues(Object.values(e.body.examples)[0]!.value, f, e.flavour))
          : undefined;
        targets.push({
          name: `${id} header Authorization (${scheme})`,
          method,
          url: f.base + concretePath,
          headers: { ...baseHeaders, ...(body ? json : {}), Authorization: `${credential}*` },
          ...(body ? { data: body } : {}),
        });
      }
    }
    if (targets.length === before) {
      const reason =
        NOTHING_TO_INJECT[id] ??
        (e.security
          ? `its only input is the ${e.security.scheme} credential, scanned on the first endpoint that takes one`
          : undefined);
      if (!reason)
        throw new Error(
          `${id} has nothing for sqlmap to test and no reason in scan/targets.ts: add a target or a reason`,
        );
      skipped.push({ name: id, reason });
    }
  }
  return { targets, skipped };
}

/** tRPC over plain JSON: queries are GET `?input={…}`, mutations POST `{…}`. */
export function backOfficeTargets(f: Fixtures): SqlmapTarget[] {
  const cookie = { Cookie: `${f.staff.sessionCookie.name}=${f.staff.sessionCookie.value}` };
  // `*` survives encodeURIComponent, so it stays a marker inside the encoded JSON.
  const query = (procedure: string, input: Record<string, unknown>): SqlmapTarget => ({
    name: `tRPC query ${procedure}`,
    method: "GET",
    url: `${f.base}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
    headers: { ...cookie },
  });
  const mutation = (procedure: string, input: Record<string, unknown>): SqlmapTarget => ({
    name: `tRPC mutation ${procedure}`,
    method: "POST",
    url: `${f.base}/api/trpc/${procedure}`,
    data: JSON.stringify(input),
    headers: { ...cookie, ...json },
  });
  const newClient = {
    firstName: "Scan",
    lastName: "Staff",
    email: f.whiteLabel.email,
    countryCode: "LV",
    password: "Scan1234x",
    referralCode: null,
    agreed: true,
    birthDate: "1990-01-01",
  };
  return [
    query("client.list", { q: "scan*", cursor: "c2Nhbg*", sort: "email_asc" }),
    query("audit.list", {
      action: "client.created*",
      entityType: "client*",
      entityId: `${f.client.id}*`,
      cursor: "c2Nhbg*",
    }),
    query("invoice.list", { email: "scan*", cursor: "c2Nhbg*" }),
    query("pending.list", { cursor: "c2Nhbg*" }),
    query("outbox.list", { cursor: "c2Nhbg*" }),
    query("kyc.queue", { cursor: "c2Nhbg*" }),
    mutation("client.setState", { clientId: f.client.id, state: "active", reason: "Scan check" }),
    mutation("tier.create", {
      partnerId: f.partnerId,
      name: "Scan tier two",
      description: "Made by the scan",
      amount: "2.00",
      currency: "EUR",
    }),
    mutation("registration.create", { ...newClient, partnerId: f.partnerId }),
    mutation("staff.create", { email: "scan-new@scan.test", name: "Scan new", role: "operations" }),
    // The Clients page reads its filters from the address and queries on the server.
    {
      name: "Clients page /clients",
      method: "GET",
      url: `${f.base}/clients?q=scan&sort=email_asc&countryCode=LV&partnerId=${f.partnerId}&createdFrom=2020-01-01`,
      headers: { ...cookie },
    },
    {
      name: "CSV export /api/clients/export",
      method: "GET",
      url: `${f.base}/api/clients/export?q=scan&sort=email_asc`,
      headers: { ...cookie },
    },
    {
      name: "CSV export /api/audit/export",
      method: "GET",
      url: `${f.base}/api/audit/export?action=client.created&entityType=client&entityId=${f.client.id}`,
      headers: { ...cookie },
    },
  ];
}
