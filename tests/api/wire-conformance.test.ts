import { describe, expect, it } from "vitest";
import { useApi } from "../support/api";

const api = useApi();
const ISSUER = process.env.APP_URL!.replace(/\/+$/, "");

describe("unknown API paths", () => {
  it.each([
    ["GET", "/api/no-such-thing"],
    ["POST", "/api/public/no-such-thing"],
    ["GET", "/reg/nothing/here"],
    ["POST", "/oauth/authorize"],
    ["GET", "/invoice/a/b/c"],
    ["DELETE", "/wallet/accounts/1"],
  ])("%s %s answers a JSON 404 in the error shape, not the HTML page", async (method, path) => {
    const res = await api.call<{ error: { code: string; message: string } }>(
      method,
      path,
      method === "POST" ? {} : undefined,
    );
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe("not_found");
    expect(res.body.error.message).toContain(path);
  });

  it("leaves the endpoints that exist alone", async () => {
    const res = await api.get("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    const health = await api.get("/api/health");
    expect(health.status).toBe(200);
  });
});

describe("GET /.well-known/oauth-authorization-server", () => {
  it("describes the token endpoint as RFC 8414 asks", async () => {
    const res = await api.get<Record<string, unknown>>("/.well-known/oauth-authorization-server");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      grant_types_supported: ["password", "refresh_token"],
      token_endpoint_auth_methods_supported: ["none"],
    });
    // The key set it points at is the one tokens are checked with.
    const jwks = await api.get<{ keys: unknown[] }>(new URL(res.body.jwks_uri as string).pathname);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
  });
});
